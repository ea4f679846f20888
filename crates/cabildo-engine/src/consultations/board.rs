//! The public bulletin board of a consultation and the tally anyone can
//! recompute from it (`cabildo consultation tally FILE`). The format is
//! documented in `docs/consultations.md`; everything here is a pure
//! function of the file.
//!
//! The board is a hash chain of days. Its first link, the genesis, hashes
//! the consultation's questions and options; each day's link hashes the
//! previous link, the date, the ballots cast that day (their entry hashes,
//! sorted by ballot id, so the order in which they arrived is never
//! recorded) and the ballots withdrawn that day by a re-vote; the final
//! head adds the paper totals counted at polling stations. The head shown
//! while voting runs is the chain through the ballots cast so far.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use uuid::Uuid;

/// The format's name and version, the file's first field.
pub const FORMAT: &str = "cabildo-consultation-board/1";

/// One question as the board states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardQuestion {
    /// Its id.
    pub id: Uuid,
    /// Its text.
    pub text: String,
    /// Most options a ballot may choose (none is a blank vote).
    pub max_choices: u32,
    /// Its options, in order.
    pub options: Vec<BoardOption>,
}

/// One option.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardOption {
    /// Its id.
    pub id: Uuid,
    /// Its text.
    pub text: String,
}

/// What a ballot chose: per question, the options (sorted; empty for a
/// blank vote).
pub type Choices = BTreeMap<Uuid, Vec<Uuid>>;

/// A ballot on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardBallot {
    /// Its random id.
    pub id: Uuid,
    /// What it chose.
    pub choices: Choices,
    /// SHA-256 of the voter's receipt code (hex), which only they hold.
    pub receipt_hash: String,
}

/// One day of voting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardDay {
    /// The day, in the council's time zone (`2026-12-04`).
    pub date: String,
    /// The ballots cast that day, by id.
    pub cast: Vec<BoardBallot>,
    /// Ids of ballots replaced that day by a re-vote (cast earlier).
    pub withdrawn: Vec<Uuid>,
    /// The chain's head after this day (hex).
    pub head: String,
}

/// Paper ballots counted at a polling station for one option (or blank,
/// with no option) of one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardPaper {
    /// The station.
    pub station: String,
    /// The question.
    pub question: Uuid,
    /// The option; none for blank ballots.
    pub option: Option<Uuid>,
    /// How many.
    pub count: u64,
}

/// The published board of a closed consultation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// [`FORMAT`].
    pub format: String,
    /// The consultation's id.
    pub consultation: Uuid,
    /// Its title.
    pub title: String,
    /// Its questions.
    pub questions: Vec<BoardQuestion>,
    /// The chain's first link (hex).
    pub genesis: String,
    /// The days with votes, in order.
    pub days: Vec<BoardDay>,
    /// Paper totals, by station, question and option.
    pub paper: Vec<BoardPaper>,
    /// The final head: the last day's, with the paper totals (hex).
    pub head: String,
}

/// Why a board does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    /// Not this format.
    #[error("not a board of format {FORMAT}")]
    Format,
    /// The genesis does not hash the questions stated.
    #[error("the genesis does not match the questions")]
    Genesis,
    /// A day's head does not follow from the chain.
    #[error("the head of {0} does not follow from the chain")]
    Day(String),
    /// Days out of order.
    #[error("day {0} is not after the day before it")]
    Order(String),
    /// A ballot that chooses what its question does not allow.
    #[error("ballot {0} chooses what its questions do not allow")]
    Ballot(Uuid),
    /// A ballot id or receipt twice, or a withdrawal of a ballot that was
    /// not cast before or was withdrawn already.
    #[error("ballot {0} appears twice or is withdrawn without being cast")]
    Duplicate(Uuid),
    /// Paper totals for an option its question does not have.
    #[error("paper totals name an unknown question or option")]
    Paper,
    /// The final head does not follow from the last day and the paper.
    #[error("the final head does not follow from the chain")]
    Head,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn sha256(parts: &[&str]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update(b"\n");
    }
    hash.finalize().into()
}

/// The hash of a receipt code as the ballot box and the board keep it.
pub fn receipt_hash(code: &str) -> [u8; 32] {
    sha256(&["cabildo-receipt-v1", code])
}

/// The hash of a receipt code as the voter roll keeps it (another domain:
/// nothing links it to [`receipt_hash`] without the code).
pub fn revote_tag(code: &str) -> [u8; 32] {
    sha256(&["cabildo-revote-v1", code])
}

/// The genesis of a consultation with `questions`.
pub fn genesis(consultation: Uuid, questions: &[BoardQuestion]) -> [u8; 32] {
    let mut definition = String::new();
    for q in questions {
        let _ = write!(definition, "{}|{}|{}", q.id, q.max_choices, q.text);
        for o in &q.options {
            let _ = write!(definition, "|{}|{}", o.id, o.text);
        }
        definition.push(';');
    }
    sha256(&[
        "cabildo-consultation-v1",
        &consultation.to_string(),
        &definition,
    ])
}

/// `choices` as text: questions and options by id.
fn canonical(choices: &Choices) -> String {
    let mut text = String::new();
    for (question, options) in choices {
        let mut sorted = options.clone();
        sorted.sort_unstable();
        let options: Vec<String> = sorted.iter().map(Uuid::to_string).collect();
        let _ = write!(text, "{question}={};", options.join(","));
    }
    text
}

/// A ballot's entry hash (hex).
pub fn entry(ballot: &BoardBallot) -> String {
    hex(&sha256(&[
        "cabildo-ballot-v1",
        &ballot.id.to_string(),
        &canonical(&ballot.choices),
        &ballot.receipt_hash,
    ]))
}

/// The head after a day: `previous`, the date, the day's entries sorted by
/// ballot id, the withdrawn ids sorted.
pub fn day_head(previous: &str, date: &str, cast: &[BoardBallot], withdrawn: &[Uuid]) -> String {
    let mut cast: Vec<&BoardBallot> = cast.iter().collect();
    cast.sort_unstable_by_key(|b| b.id);
    let entries: Vec<String> = cast.iter().map(|b| entry(b)).collect();
    let mut withdrawn: Vec<Uuid> = withdrawn.to_vec();
    withdrawn.sort_unstable();
    let withdrawn: Vec<String> = withdrawn.iter().map(Uuid::to_string).collect();
    hex(&sha256(&[
        "cabildo-day-v1",
        previous,
        date,
        &entries.join(","),
        &withdrawn.join(","),
    ]))
}

/// The final head: the last day's head and the paper totals.
pub fn final_head(last: &str, paper: &[BoardPaper]) -> String {
    let mut lines: Vec<String> = paper
        .iter()
        .map(|p| {
            let option = p
                .option
                .map_or_else(|| "blank".to_owned(), |o| o.to_string());
            format!("{}|{}|{option}|{}", p.station, p.question, p.count)
        })
        .collect();
    lines.sort_unstable();
    hex(&sha256(&["cabildo-final-v1", last, &lines.join(";")]))
}

/// Whether `choices` answer `questions` as they allow: every question
/// once, each with at most its `max_choices` of its own options, none
/// twice.
pub fn valid(questions: &[BoardQuestion], choices: &Choices) -> bool {
    choices.len() == questions.len()
        && questions.iter().all(|q| {
            choices.get(&q.id).is_some_and(|chosen| {
                let distinct: BTreeSet<&Uuid> = chosen.iter().collect();
                distinct.len() == chosen.len()
                    && u32::try_from(chosen.len()).is_ok_and(|n| n <= q.max_choices)
                    && chosen.iter().all(|o| q.options.iter().any(|x| x.id == *o))
            })
        })
}

/// The result of one question.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// The question.
    pub question: Uuid,
    /// Votes per option, in the question's order: (option, online and
    /// assisted ballots, paper ballots).
    pub options: Vec<(Uuid, u64, u64)>,
    /// Blank votes: (ballots, paper).
    pub blank: (u64, u64),
}

/// What a board says, once verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Ballots that count (cast and not withdrawn).
    pub ballots: u64,
    /// Ballots replaced by a re-vote.
    pub withdrawn: u64,
    /// Per question.
    pub questions: Vec<QuestionResult>,
    /// The final head (hex), as recomputed.
    pub head: String,
}

/// Checks every link of `board` and counts it.
pub fn tally(board: &Board) -> Result<Tally, BoardError> {
    if board.format != FORMAT {
        return Err(BoardError::Format);
    }
    if hex(&genesis(board.consultation, &board.questions)) != board.genesis {
        return Err(BoardError::Genesis);
    }
    let mut head = board.genesis.clone();
    let mut previous_date = String::new();
    let mut counted: BTreeMap<Uuid, &Choices> = BTreeMap::new();
    let mut receipts = BTreeSet::new();
    let mut withdrawn_count = 0;
    for day in &board.days {
        if day.date <= previous_date {
            return Err(BoardError::Order(day.date.clone()));
        }
        previous_date.clone_from(&day.date);
        for ballot in &day.cast {
            if !valid(&board.questions, &ballot.choices) {
                return Err(BoardError::Ballot(ballot.id));
            }
            if counted.insert(ballot.id, &ballot.choices).is_some()
                || !receipts.insert(&ballot.receipt_hash)
            {
                return Err(BoardError::Duplicate(ballot.id));
            }
        }
        for id in &day.withdrawn {
            if counted.remove(id).is_none() {
                return Err(BoardError::Duplicate(*id));
            }
            withdrawn_count += 1;
        }
        head = day_head(&head, &day.date, &day.cast, &day.withdrawn);
        if head != day.head {
            return Err(BoardError::Day(day.date.clone()));
        }
    }
    let mut questions: Vec<QuestionResult> = (board.questions.iter())
        .map(|q| QuestionResult {
            question: q.id,
            options: q.options.iter().map(|o| (o.id, 0, 0)).collect(),
            blank: (0, 0),
        })
        .collect();
    for choices in counted.values() {
        for (q, result) in board.questions.iter().zip(&mut questions) {
            let chosen = choices.get(&q.id).map_or(&[][..], Vec::as_slice);
            if chosen.is_empty() {
                result.blank.0 += 1;
            }
            for option in &mut result.options {
                if chosen.contains(&option.0) {
                    option.1 += 1;
                }
            }
        }
    }
    for p in &board.paper {
        let result = (board.questions.iter())
            .position(|q| q.id == p.question)
            .and_then(|i| questions.get_mut(i))
            .ok_or(BoardError::Paper)?;
        match p.option {
            None => result.blank.1 += p.count,
            Some(option) => {
                let line = (result.options.iter_mut())
                    .find(|o| o.0 == option)
                    .ok_or(BoardError::Paper)?;
                line.2 += p.count;
            }
        }
    }
    let last = board.days.last().map_or(&board.genesis, |d| &d.head);
    let recomputed = final_head(last, &board.paper);
    if recomputed != board.head {
        return Err(BoardError::Head);
    }
    Ok(Tally {
        ballots: counted.len() as u64,
        withdrawn: withdrawn_count,
        questions,
        head: recomputed,
    })
}

/// The hex form of a 32-byte hash, as the board writes it.
pub fn hex_of(hash: &[u8]) -> String {
    hex(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question() -> BoardQuestion {
        BoardQuestion {
            id: Uuid::from_u128(1),
            text: "¿Peatonalizar el casco?".into(),
            max_choices: 1,
            options: vec![
                BoardOption {
                    id: Uuid::from_u128(11),
                    text: "Sí".into(),
                },
                BoardOption {
                    id: Uuid::from_u128(12),
                    text: "No".into(),
                },
            ],
        }
    }

    fn ballot(id: u128, option: Option<u128>, code: &str) -> BoardBallot {
        BoardBallot {
            id: Uuid::from_u128(id),
            choices: BTreeMap::from([(
                Uuid::from_u128(1),
                option.map(Uuid::from_u128).into_iter().collect(),
            )]),
            receipt_hash: hex(&receipt_hash(code)),
        }
    }

    fn board() -> Board {
        let questions = vec![question()];
        let consultation = Uuid::from_u128(99);
        let genesis = hex(&genesis(consultation, &questions));
        let first = vec![ballot(5, Some(11), "A"), ballot(3, Some(12), "B")];
        let head1 = day_head(&genesis, "2026-12-04", &first, &[]);
        let second = vec![ballot(7, None, "C"), ballot(8, Some(12), "D")];
        let head2 = day_head(&head1, "2026-12-05", &second, &[Uuid::from_u128(5)]);
        let paper = vec![BoardPaper {
            station: "Ayuntamiento".into(),
            question: Uuid::from_u128(1),
            option: Some(Uuid::from_u128(11)),
            count: 40,
        }];
        Board {
            format: FORMAT.into(),
            consultation,
            title: "Casco".into(),
            questions,
            genesis,
            days: vec![
                BoardDay {
                    date: "2026-12-04".into(),
                    cast: first,
                    withdrawn: vec![],
                    head: head1.clone(),
                },
                BoardDay {
                    date: "2026-12-05".into(),
                    cast: second,
                    withdrawn: vec![Uuid::from_u128(5)],
                    head: head2.clone(),
                },
            ],
            head: final_head(&head2, &paper),
            paper,
        }
    }

    #[test]
    fn a_board_is_counted_with_withdrawn_ballots_out_and_paper_in() {
        let tally = tally(&board()).expect("verifies");
        assert_eq!((tally.ballots, tally.withdrawn), (3, 1));
        let q = &tally.questions[0];
        assert_eq!(
            q.options,
            vec![(Uuid::from_u128(11), 0, 40), (Uuid::from_u128(12), 2, 0)]
        );
        assert_eq!(q.blank, (1, 0));
    }

    #[test]
    fn any_change_to_the_board_breaks_its_chain() {
        let mut changed = board();
        changed.days[0].cast[0].choices =
            BTreeMap::from([(Uuid::from_u128(1), vec![Uuid::from_u128(12)])]);
        assert_eq!(tally(&changed), Err(BoardError::Day("2026-12-04".into())));
        let mut dropped = board();
        dropped.days[1].cast.pop();
        assert_eq!(tally(&dropped), Err(BoardError::Day("2026-12-05".into())));
        let mut paper = board();
        paper.paper[0].count = 41;
        assert_eq!(tally(&paper), Err(BoardError::Head));
        let mut renamed = board();
        renamed.questions[0].options[1].text = "Sí también".into();
        assert_eq!(tally(&renamed), Err(BoardError::Genesis));
        let mut twice = board();
        twice.days[1].withdrawn.push(Uuid::from_u128(5));
        assert_eq!(
            tally(&twice),
            Err(BoardError::Duplicate(Uuid::from_u128(5)))
        );
    }

    #[test]
    fn the_order_ballots_arrived_in_does_not_change_a_head() {
        let b = board();
        let mut reversed = b.days[0].cast.clone();
        reversed.reverse();
        assert_eq!(
            day_head(&b.genesis, "2026-12-04", &reversed, &[]),
            b.days[0].head
        );
    }

    #[test]
    fn choices_must_fit_their_question() {
        let questions = vec![question()];
        let choose = |options: &[u128]| {
            BTreeMap::from([(
                Uuid::from_u128(1),
                options.iter().copied().map(Uuid::from_u128).collect(),
            )])
        };
        assert!(valid(&questions, &choose(&[11])));
        assert!(valid(&questions, &choose(&[])), "blank");
        assert!(!valid(&questions, &choose(&[11, 12])), "one at most");
        assert!(!valid(&questions, &choose(&[13])), "another question's");
        assert!(!valid(&questions, &BTreeMap::new()), "unanswered");
        assert_ne!(receipt_hash("X"), revote_tag("X"));
    }
}
