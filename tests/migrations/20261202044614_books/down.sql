DELETE FROM author WHERE id = 1;
