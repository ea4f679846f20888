//! Survey questions typed as plain text by staff, and written back to
//! text to change a draft. Blocks separated by a blank line; a block's
//! first line is the question with its tags in brackets, then `- ` lines
//! are its options (a matrix's columns) and `+ ` lines a matrix's rows:
//!
//! ```text
//! ¿Usas un centro cívico? [single]
//! - Sí
//! - No
//!
//! ¿Por qué no? [short] [if 1: 2]
//! ```
//!
//! Tags: `[single]`, `[multiple]` (`[multiple 3]` up to three,
//! `[multiple 1-3]` one to three), `[ranking]`, `[scale]` (`[scale 10]`),
//! `[short]`, `[long]`, `[matrix]`, `[optional]` and `[if N: A, B]` (shown
//! when the answer to question N includes option A or B; all numbered
//! from 1). With no kind, a question with options is single choice and
//! one without is a short text.

use cabildo_engine::surveys::{Kind, NewQuestion, Question};

/// A block that cannot be read: its place (from 0).
pub type Unreadable = usize;

/// The questions in `text`.
pub fn parse(text: &str) -> Result<Vec<NewQuestion>, Unreadable> {
    let text = text.replace('\r', "");
    let blocks = text.split("\n\n").filter(|b| !b.trim().is_empty());
    blocks
        .enumerate()
        .map(|(i, block)| question(block).ok_or(i))
        .collect()
}

fn question(block: &str) -> Option<NewQuestion> {
    let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut first = lines.next()?.to_owned();
    let mut q = NewQuestion::default();
    let mut kind = None;
    // Tags are read from the end of the line: "text [tag] [tag]".
    while let Some(open) = first
        .trim_end()
        .strip_suffix(']')
        .and_then(|s| s.rfind('['))
    {
        let tag = first[open + 1..first.trim_end().len() - 1]
            .trim()
            .to_lowercase();
        first.truncate(open);
        let (name, rest) = tag.split_once([' ', ':']).unwrap_or((tag.as_str(), ""));
        let rest = rest.trim();
        match name {
            "single" => kind = Some(Kind::Single),
            "ranking" => kind = Some(Kind::Ranking),
            "short" => kind = Some(Kind::ShortText),
            "long" => kind = Some(Kind::LongText),
            "matrix" => kind = Some(Kind::Matrix),
            "optional" => q.required = false,
            "scale" => {
                kind = Some(Kind::Scale);
                q.scale_max = match rest {
                    "" => 5,
                    n => n.parse().ok()?,
                };
            }
            "multiple" => {
                kind = Some(Kind::Multiple);
                q.choices = match rest.split_once('-') {
                    Some((min, max)) => (min.trim().parse().ok()?, max.trim().parse().ok()?),
                    None if rest.is_empty() => (0, 0),
                    None => (0, rest.parse().ok()?),
                };
            }
            "if" => {
                let (on, picks) = rest.split_once(':')?;
                let on: i32 = on.trim().parse().ok()?;
                let picks = (picks.split(','))
                    .map(|p| p.trim().parse::<i32>().ok().map(|p| p - 1))
                    .collect::<Option<Vec<_>>>()?;
                q.shown_if = Some((on - 1, picks));
            }
            _ => return None,
        }
    }
    q.text = first.trim().to_owned();
    for line in lines {
        if let Some(option) = line.strip_prefix('-').or_else(|| line.strip_prefix('*')) {
            q.options.push(option.trim().to_owned());
        } else if let Some(row) = line.strip_prefix('+') {
            q.rows.push(row.trim().to_owned());
        } else {
            return None;
        }
    }
    q.kind = kind.unwrap_or(match q.options.is_empty() {
        true => Kind::ShortText,
        false => Kind::Single,
    });
    // "[multiple]" alone: any number of the options.
    if q.kind == Kind::Multiple && q.choices.1 == 0 {
        q.choices.1 = i32::try_from(q.options.len()).unwrap_or(1).max(1);
    }
    Some(q)
}

/// `questions` as text that [`parse`] reads back.
pub fn write(questions: &[Question]) -> String {
    let blocks: Vec<String> = questions
        .iter()
        .map(|q| {
            let mut first = q.text.clone();
            let tag = match q.kind {
                Kind::Single => "[single]".to_owned(),
                Kind::Multiple => format!("[multiple {}-{}]", q.min_choices, q.max_choices),
                Kind::Ranking => "[ranking]".to_owned(),
                Kind::Scale => format!("[scale {}]", q.scale_max),
                Kind::ShortText => "[short]".to_owned(),
                Kind::LongText => "[long]".to_owned(),
                Kind::Matrix => "[matrix]".to_owned(),
            };
            first.push(' ');
            first.push_str(&tag);
            if !q.required {
                first.push_str(" [optional]");
            }
            if let Some(on) = q.shown_if_question {
                let picks: Vec<String> = q
                    .shown_if_options
                    .iter()
                    .map(|p| (p + 1).to_string())
                    .collect();
                first.push_str(&format!(" [if {}: {}]", on + 1, picks.join(", ")));
            }
            let lines = std::iter::once(first)
                .chain(q.options.iter().map(|o| format!("- {o}")))
                .chain(q.rows.iter().map(|r| format!("+ {r}")));
            lines.collect::<Vec<_>>().join("\n")
        })
        .collect();
    blocks.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_and_writes_back() {
        let text = "¿Usas un centro cívico? [single]\n- Sí\n- No\n\n\
                    ¿Qué días? [multiple 1-2]\n- Lunes\n- Martes\n- Sábado\n\n\
                    Ordena [ranking]\n- A\n- B\n\n\
                    Valora [scale 10]\n\n\
                    ¿Por qué no? [short] [if 1: 2]\n\n\
                    Cuéntanos [long] [optional]\n\n\
                    Cada centro [matrix]\n- Bien\n- Mal\n+ Azucaica\n+ Benquerencia";
        let questions = parse(text).expect("reads");
        let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Single,
                Kind::Multiple,
                Kind::Ranking,
                Kind::Scale,
                Kind::ShortText,
                Kind::LongText,
                Kind::Matrix
            ]
        );
        assert_eq!(questions[1].choices, (1, 2));
        assert_eq!(questions[3].scale_max, 10);
        assert_eq!(questions[4].shown_if, Some((0, vec![1])));
        assert!(!questions[5].required);
        assert_eq!(questions[6].rows, ["Azucaica", "Benquerencia"]);
        assert_eq!(questions[4].text, "¿Por qué no?");
        let stored: Vec<Question> = (0..)
            .zip(&questions)
            .map(|(position, q)| Question {
                position,
                kind: q.kind,
                text: q.text.clone(),
                required: q.required,
                options: q.options.clone(),
                rows: q.rows.clone(),
                min_choices: q.choices.0,
                max_choices: q.choices.1,
                scale_max: q.scale_max,
                shown_if_question: q.shown_if.as_ref().map(|s| s.0),
                shown_if_options: q.shown_if.as_ref().map(|s| s.1.clone()).unwrap_or_default(),
            })
            .collect();
        let again = parse(&write(&stored)).expect("reads back");
        assert_eq!(again.len(), questions.len());
        for (a, b) in again.iter().zip(&questions) {
            assert_eq!(
                (a.kind, &a.text, &a.options, &a.rows),
                (b.kind, &b.text, &b.options, &b.rows)
            );
            assert_eq!(
                (a.required, a.shown_if.clone()),
                (b.required, b.shown_if.clone())
            );
        }
    }

    #[test]
    fn defaults_and_unreadable_blocks() {
        let q = parse("¿Color?\n- Rojo\n- Azul\n\n¿Nombre?").expect("reads");
        assert_eq!((q[0].kind, q[1].kind), (Kind::Single, Kind::ShortText));
        let all = parse("¿Días? [multiple]\n- L\n- M\n- X").expect("reads");
        assert_eq!(all[0].choices, (0, 3));
        assert_eq!(parse("Bien\n\nMal [colour]"), Err(1));
        assert_eq!(parse("Texto\nuna línea suelta"), Err(0));
        assert_eq!(parse("Si [if 1]"), Err(0));
    }
}
