//! How many monospace cells a text takes: two for the wide characters of East Asian scripts
//! and emoji, none for combining marks, one for the rest.

/// The width of `text` in monospace cells.
pub fn cells(text: &str) -> usize {
    text.chars().map(char_cells).sum()
}

fn char_cells(c: char) -> usize {
    match u32::from(c) {
        // Combining diacritical marks.
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F => {
            0
        }
        // Hangul Jamo, CJK, Hangul syllables, compatibility ideographs, full-width forms, emoji.
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_cells_and_accents_none() {
        assert_eq!(cells("name"), 4);
        assert_eq!(cells("libellé"), 7);
        assert_eq!(cells("e\u{301}"), 1);
        assert_eq!(cells("商品"), 4);
        assert_eq!(cells(""), 0);
    }
}
