//! Names as the engine compares them: every script in Latin letters, the particles that
//! come and go between registers folded away, and a skeleton that one romanisation shares
//! with another.
//!
//! - **Romanisation**: `any_ascii` writes Cyrillic, Arabic, Ge'ez, Han, Thai, Vietnamese and
//!   the rest in Latin letters (and drops diacritics), one scheme per script.
//! - **Particles**: the Arabic article (`al-`, `el-`, `ul-` and the sun-letter forms),
//!   `abd`/`abdul`/`abdel` joined to the name they belong to, and the nasab's `bin`, `ibn`,
//!   `bint`, `ould` between a person's and their father's names.
//! - **Skeleton**: what stays of a token when the variants different romanisation schemes
//!   give are folded (`kh`/`h`/`x`, `y`/`j`/`i`, `ts`/`c`/`z`, `ph`/`f`, doubled letters,
//!   vowels after the first letter): Yuriy, Iurii and Jurij share one, as do Mohammed and
//!   Muhammad.

/// Particles of the nasab (son or daughter of) that stand between names.
const NASAB: [&str; 7] = ["bin", "ben", "ibn", "bint", "binti", "ould", "walad"];

/// The Arabic article, standing alone or hyphenated to the name it belongs to.
const ARTICLES: [&str; 12] = [
    "al", "el", "ul", "il", "ad", "ar", "as", "ash", "at", "az", "an", "ed",
];

/// The forms of `abd` ("servant of") written joined to the article.
const ABD: [&str; 5] = ["abdul", "abdel", "abdal", "abdol", "abdoul"];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

fn is_thai(c: char) -> bool {
    ('\u{0E01}'..='\u{0E5B}').contains(&c)
}

/// A Thai consonant (ก–ฮ).
fn is_thai_consonant(c: char) -> bool {
    ('\u{0E01}'..='\u{0E2E}').contains(&c)
}

/// A Thai name made ready for romanisation as Thai names are written in Latin letters: the
/// vowels written before their consonant (เ แ โ ใ ไ) moved after it, a consonant silenced
/// by the thanthakhat (์) dropped with it, the unwritten "o" of a closed syllable put in
/// (สม → "som"), and จ as "j" (ใจดี → "jaidi", as in Jaidee). What is left any_ascii
/// writes letter by letter.
fn thai_in_latin(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    // Drop each consonant the thanthakhat silences, and the mark itself.
    let mut kept: Vec<char> = Vec::with_capacity(chars.len());
    for &c in &chars {
        if c == '\u{0E4C}' {
            // The silenced consonant, with any vowel sign written on it (ดิ์).
            while kept
                .last()
                .is_some_and(|&k| is_thai(k) && !is_thai_consonant(k))
            {
                kept.pop();
            }
            kept.pop();
        } else if !('\u{0E48}'..='\u{0E4B}').contains(&c) {
            // Tone marks say nothing in Latin letters.
            kept.push(c);
        }
    }
    let mut reordered: Vec<char> = Vec::with_capacity(kept.len());
    let mut i = 0;
    while i < kept.len() {
        let c = kept[i];
        if ('\u{0E40}'..='\u{0E44}').contains(&c)
            && kept.get(i + 1).is_some_and(|&n| is_thai_consonant(n))
        {
            reordered.push(kept[i + 1]);
            reordered.push(c);
            i += 2;
        } else {
            reordered.push(c);
            i += 1;
        }
    }
    let mut out = String::with_capacity(reordered.len() * 2);
    for (i, &c) in reordered.iter().enumerate() {
        if c == '\u{0E08}' {
            out.push('j');
        } else {
            out.push(c);
        }
        // Two consonants closing a syllable (the second followed by a consonant or the
        // word's end) carry an unwritten "o" between them.
        let next = reordered.get(i + 1).copied();
        let after = reordered.get(i + 2).copied();
        if is_thai_consonant(c)
            && next.is_some_and(is_thai_consonant)
            && after.is_none_or(|a| is_thai_consonant(a) || !is_thai(a))
            && (i == 0 || !is_thai_consonant(reordered[i - 1]))
        {
            out.push('o');
        }
    }
    out
}

/// A name in Han characters written as its pinyin is: the family name's syllable, then
/// the given name's syllables as one word (王小明 → "wang xiaoming"); a Han word within a
/// longer name becomes one word.
fn han_in_latin(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let syllables = |w: &str| -> Vec<String> {
        w.chars()
            .map(|c| any_ascii::any_ascii(&c.to_string()).to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if let [only] = words.as_slice()
        && only.chars().all(is_han)
        && (2..=4).contains(&only.chars().count())
    {
        let s = syllables(only);
        return format!("{} {}", s[0], s[1..].concat());
    }
    words
        .iter()
        .map(|w| {
            if w.chars().any(is_han) {
                syllables(w).concat()
            } else {
                (*w).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name in Latin letters, lower case, split into its words, particles folded.
pub fn tokens(name: &str) -> Vec<String> {
    let name = if name.chars().any(is_han) {
        std::borrow::Cow::Owned(han_in_latin(name))
    } else if name.chars().any(is_thai) {
        std::borrow::Cow::Owned(thai_in_latin(name))
    } else {
        std::borrow::Cow::Borrowed(name)
    };
    let latin = any_ascii::any_ascii(&name).to_ascii_lowercase();
    let words: Vec<&str> = latin
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .flat_map(|w| w.split('-'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        // "abd al rahman", "abdul rahman", "abdulrahman": one name, "abdrahman".
        let abd = w == "abd" || ABD.contains(&w);
        if abd {
            let mut j = i + 1;
            while j < words.len() && ARTICLES.contains(&words[j]) {
                j += 1;
            }
            if j < words.len() {
                out.push(format!("abd{}", words[j]));
                i = j + 1;
                continue;
            }
        }
        if let Some(rest) = ABD
            .iter()
            .find_map(|a| w.strip_prefix(a))
            .filter(|r| r.len() > 2)
        {
            out.push(format!("abd{rest}"));
        } else if !(NASAB.contains(&w) || (ARTICLES.contains(&w) && words.len() > 1)) {
            out.push(w.to_owned());
        }
        i += 1;
    }
    out
}

/// A token as it sounds across romanisations: the variant letters and digraphs folded,
/// doubled letters once (Yuriy, Iurii and Jurij all "iuri"; Hussein "husin", Hassan "hasan").
pub fn phonetic(token: &str) -> String {
    String::from_utf8(fold(token)).unwrap_or_default()
}

fn fold(token: &str) -> Vec<u8> {
    let t = token.as_bytes();
    let mut folded: Vec<u8> = Vec::with_capacity(t.len() + 2);
    let mut i = 0;
    while i < t.len() {
        let rest = &t[i..];
        let (c, used): (&[u8], usize) = match rest {
            [b'k', b'h', ..] | [b'g', b'h', ..] => (b"h", 2),
            [b'p', b'h', ..] => (b"f", 2),
            [b't', b'h', ..] => (b"t", 2),
            [b's', b'c', b'h', ..] => (b"s", 3),
            [b's', b'h', ..] | [b'c', b'h', ..] | [b'z', b'h', ..] => (b"s", 2),
            [b't', b's', ..] | [b't', b'z', ..] => (b"s", 2),
            [b'd', b'j', ..] | [b'd', b'z', ..] => (b"j", 2),
            [b'c', b'k', ..] => (b"k", 2),
            // Before a front vowel or a consonant it softens (Slavic and Latin "c" = ts).
            [b'c', b'e' | b'i' | b'y' | b'v' | b'z' | b'w', ..] => (b"s", 1),
            [b'x', ..] => (b"ks", 1),
            [c, ..] => (
                match c {
                    b'q' | b'c' | b'g' => b"k",
                    b'z' => b"s",
                    b'w' | b'v' => b"f",
                    b'd' => b"t",
                    b'b' => b"p",
                    b'y' | b'j' | b'e' => b"i",
                    b'o' => b"u",
                    _ => std::slice::from_ref(c),
                },
                1,
            ),
            [] => break,
        };
        folded.extend_from_slice(c);
        i += used;
    }
    folded.retain(u8::is_ascii);
    folded.dedup();
    folded
}

/// The skeleton of one token (see the module's description): its [`phonetic`] form without
/// vowels and `h` after the first letter.
pub fn skeleton(token: &str) -> String {
    let folded = fold(token);
    let mut out = String::with_capacity(folded.len());
    for (k, &c) in folded.iter().enumerate() {
        if k > 0 && matches!(c, b'a' | b'i' | b'u' | b'h') {
            continue;
        }
        out.push(c as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_comes_out_in_latin_letters() {
        assert_eq!(tokens("Юрий Гагарин"), ["yuriy", "gagarin"]);
        assert_eq!(tokens("Nguyễn Văn Anh"), ["nguyen", "van", "anh"]);
        assert_eq!(tokens("Nguyen Van Anh"), ["nguyen", "van", "anh"]);
        assert!(!tokens("محمد").is_empty());
        assert!(!tokens("ተስፋዬ").is_empty());
        assert_eq!(tokens("王小明"), ["wang", "xiaoming"]);
        assert!(!tokens("สมชาย").is_empty());
    }

    #[test]
    fn arabic_particles_fold_away() {
        assert_eq!(tokens("Abd al-Rahman"), ["abdrahman"]);
        assert_eq!(tokens("Abdul Rahman"), ["abdrahman"]);
        assert_eq!(tokens("Abdulrahman"), ["abdrahman"]);
        assert_eq!(
            tokens("Ahmed bin Khalid al-Amri"),
            ["ahmed", "khalid", "amri"]
        );
        assert_eq!(tokens("Ahmed Khalid Al Amri"), ["ahmed", "khalid", "amri"]);
        // An article that is the whole name stays.
        assert_eq!(tokens("Al"), ["al"]);
    }

    #[test]
    fn romanisations_share_a_skeleton() {
        for group in [
            &["yuriy", "iurii", "jurij", "yury"][..],
            &["mohammed", "muhammad", "mohamad", "mohamed"],
            &["khaled", "khalid", "haled"],
            &["tsvetkov", "cvetkov", "zvetkov"],
            &["aleksandr", "alexandr", "aleksander"],
        ] {
            let first = skeleton(group[0]);
            for other in group {
                assert_eq!(skeleton(other), first, "{other} vs {}", group[0]);
            }
        }
        assert_ne!(skeleton("mohammed"), skeleton("ahmed"));
        assert_ne!(skeleton("anna"), skeleton("hanna"));
    }
}

#[cfg(test)]
mod thai {
    #[test]
    fn thai_names_come_out_as_they_are_written_in_latin_letters() {
        assert_eq!(super::tokens("สมชาย ใจดี"), ["somchay", "jaidi"]);
        assert_eq!(super::tokens("สมศักดิ์ ศรีสุข"), ["somsak", "srisukh"]);
    }
}
