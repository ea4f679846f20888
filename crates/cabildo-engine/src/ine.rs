//! The INE list of Spanish municipalities (`data/ine/`, compiled in): the
//! municipality a council signs up for is picked from it by INE code or
//! by name, and its official name and province come from it.

use std::sync::LazyLock;

/// A municipality of the INE list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Municipality {
    /// The 5-digit INE code (province and municipality).
    pub code: &'static str,
    /// The INE control digit.
    pub control: char,
    /// The official name, as the INE writes it (`Ballestero, El`).
    pub name: &'static str,
    /// Its province's name.
    pub province: &'static str,
}

/// Articles the INE moves to the end of a name.
const MOVED_ARTICLES: [&str; 13] = [
    "El", "La", "Los", "Las", "L'", "Les", "Els", "O", "A", "Os", "As", "Es", "Sa",
];

impl Municipality {
    /// The name as people say it: the INE's trailing article put first
    /// (`El Ballestero`, `L'Ametlla de Mar`).
    pub fn spoken_name(&self) -> String {
        if let Some((rest, article)) = self.name.rsplit_once(", ")
            && MOVED_ARTICLES.contains(&article)
        {
            return if article.ends_with('\'') {
                format!("{article}{rest}")
            } else {
                format!("{article} {rest}")
            };
        }
        self.name.to_owned()
    }

    /// Its 6-digit code with the control digit.
    pub fn full_code(&self) -> String {
        format!("{}{}", self.code, self.control)
    }
}

static MUNICIPALITIES: LazyLock<Vec<Municipality>> = LazyLock::new(|| {
    let provinces: Vec<(&str, &str)> = include_str!("../../../data/ine/provincias.csv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(','))
        .map(|(id, name)| (id, name.trim_matches('"')))
        .collect();
    include_str!("../../../data/ine/municipios.csv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.splitn(5, ',');
            let (code, province, _, control, name) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            let province = provinces.iter().find(|(id, _)| *id == province)?.1;
            Some(Municipality {
                code,
                control: control.chars().next()?,
                name: name.trim_matches('"'),
                province,
            })
        })
        .collect()
});

/// Every municipality of the list.
pub fn all() -> &'static [Municipality] {
    &MUNICIPALITIES
}

/// The municipality of an INE code: 5 digits, or 6 with the control digit
/// (which must then match).
pub fn by_code(code: &str) -> Option<Municipality> {
    let code = code.trim();
    let (code, control) = match code.len() {
        5 => (code, None),
        6 => (&code[..5], code.chars().nth(5)),
        _ => return None,
    };
    let found = all().iter().find(|m| m.code == code)?;
    control.is_none_or(|c| c == found.control).then_some(*found)
}

/// Folds a name for matching: lower case, no accents, no punctuation.
pub(crate) fn folded(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Municipalities whose name (either of a bilingual name's two, with or
/// without its article, ignoring case and accents) matches `query`: exact
/// names first, then names starting with it, then names containing it;
/// at most `limit`.
pub fn search(query: &str, limit: usize) -> Vec<Municipality> {
    let query = folded(query);
    if query.is_empty() {
        return Vec::new();
    }
    let mut ranked: Vec<(u8, Municipality)> = all()
        .iter()
        .filter_map(|m| {
            let names = [folded(m.name), folded(&m.spoken_name())];
            let parts = m.name.split('/').map(folded);
            let candidates: Vec<String> = names.into_iter().chain(parts).collect();
            let rank = if candidates.contains(&query) {
                0
            } else if candidates.iter().any(|n| n.starts_with(&query)) {
                1
            } else if candidates.iter().any(|n| n.contains(&query)) {
                2
            } else {
                return None;
            };
            Some((rank, *m))
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(b.1.name)));
    ranked.into_iter().take(limit).map(|(_, m)| m).collect()
}

/// What a municipality typed as a name or code turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Exactly this one: a code, or the only municipality of this name.
    One(Municipality),
    /// Several match (names shared across provinces, or a part of a name):
    /// the person picks one. At most [`CHOICES`].
    Several(Vec<Municipality>),
    /// None.
    None,
}

/// Most municipalities offered to pick from.
pub const CHOICES: usize = 12;

/// The municipality `typed` names: an INE code (5 digits, or 6 with the
/// control digit), or a name.
pub fn find(typed: &str) -> Found {
    let typed = typed.trim();
    if !typed.is_empty() && typed.bytes().all(|b| b.is_ascii_digit()) {
        return by_code(typed).map_or(Found::None, Found::One);
    }
    let query = folded(typed);
    let candidates = search(typed, CHOICES);
    let exact: Vec<Municipality> = (candidates.iter().copied())
        .filter(|m| {
            folded(m.name) == query
                || folded(&m.spoken_name()) == query
                || m.name.split('/').any(|part| folded(part) == query)
        })
        .collect();
    match (exact.len(), candidates.len()) {
        (1, _) => Found::One(exact[0]),
        (_, 0) => Found::None,
        _ => Found::Several(candidates),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_list_is_read_with_provinces() {
        assert_eq!(all().len(), 8124);
        assert!(
            all()
                .iter()
                .all(|m| m.code.len() == 5 && !m.province.is_empty())
        );
        let toledo = by_code("45168").expect("Toledo");
        assert_eq!(
            (toledo.name, toledo.province, toledo.control),
            ("Toledo", "Toledo", '5')
        );
        assert_eq!(by_code("451685"), Some(toledo));
        assert_eq!(by_code("451680"), None, "a wrong control digit");
        for bad in ["", "4516", "99999", "abcde", "4516855"] {
            assert_eq!(by_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn names_are_found_as_people_type_them() {
        assert_eq!(search("toledo", 5)[0].code, "45168", "the exact name first");
        assert_eq!(
            search("TALAVERA DE LA REINA", 1)[0].name,
            "Talavera de la Reina"
        );
        assert_eq!(search("alacant", 1)[0].name, "Alicante/Alacant");
        assert_eq!(
            search("castello de la plana", 3)[0].name,
            "Castellón de la Plana/Castelló de la Plana"
        );
        let ballestero = search("el ballestero", 1)[0];
        assert_eq!(
            (ballestero.name, ballestero.spoken_name().as_str()),
            ("Ballestero, El", "El Ballestero")
        );
        assert!(search("", 5).is_empty() && search("zzzz", 5).is_empty());
        assert_eq!(search("de", 7).len(), 7);
    }

    #[test]
    fn a_typed_municipality_is_one_several_or_none() {
        let Found::One(toledo) = find(" Toledo ") else {
            panic!("Toledo is one municipality");
        };
        assert_eq!(toledo.code, "45168");
        assert_eq!(find("451685"), Found::One(toledo));
        assert_eq!(find("45168"), Found::One(toledo));
        assert_eq!(find("99999"), Found::None, "an unknown code");
        assert_eq!(find("xyzzy"), Found::None);
        assert_eq!(find(""), Found::None);
        let Found::Several(talavera) = find("talavera de") else {
            panic!("a part of several names");
        };
        assert!(talavera.iter().any(|m| m.name == "Talavera de la Reina"));
        let Found::Several(many) = find("villanueva") else {
            panic!("a part of many names");
        };
        assert_eq!(many.len(), CHOICES, "at most {CHOICES} offered");
        // Names shared by municipalities of different provinces.
        let Found::Several(shared) = find("Arroyomolinos") else {
            panic!("ambiguous");
        };
        assert!(!shared.is_empty());
        assert_eq!(
            find("castello de la plana").clone(),
            Found::One(by_code("12040").expect("Castellón"))
        );
    }
}
