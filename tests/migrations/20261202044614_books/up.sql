INSERT INTO author (id, name) VALUES (1, 'Zoë Ørsted 書店');
