//! Reading Pabulib files (<https://pabulib.org>): `META`, `PROJECTS` and
//! `VOTES` sections of `;`-separated, CSV-quoted fields. Amounts are exact
//! decimals; every ballot is a voter (empty ones included).

use std::borrow::Cow;
use std::collections::HashMap;

/// Amounts in millionths of the currency unit: exact for the decimals
/// Pabulib files carry, and far from overflowing `i128`.
pub type Amount = i128;

/// Millionths in one currency unit.
pub const UNIT: Amount = 1_000_000;

/// The largest amount we read, in currency units.
pub const MAX_AMOUNT: Amount = 1_000_000_000_000_000_000_000_000;

/// A project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Its id (a string: "10" and "9" are ids, not numbers).
    pub id: String,
    /// Its cost, in millionths.
    pub cost: Amount,
}

/// One voter's ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    /// The projects chosen (each once), as their places in
    /// `Instance::projects`, with their points: 1 each for approval
    /// ballots; on ordinal ballots, in the voter's order, `max_length − k`
    /// for the k-th choice (from 0; see `results::Ordinal`).
    pub choices: Vec<(usize, i64)>,
}

/// An election.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The budget, in millionths.
    pub budget: Amount,
    /// `approval`, `cumulative`, `ordinal` or `scoring`.
    pub vote_type: String,
    /// The projects, in file order.
    pub projects: Vec<Project>,
    /// The ballots.
    pub ballots: Vec<Ballot>,
}

impl Instance {
    /// The same election with each ordinal ballot's points replaced by
    /// their Borda worth (`results::Ordinal::Borda`): the k-th of n
    /// choices is worth `n − k − 1`.
    pub fn with_borda_points(&self) -> Instance {
        let ballots = self
            .ballots
            .iter()
            .map(|ballot| {
                let length = ballot.choices.len();
                Ballot {
                    choices: ballot
                        .choices
                        .iter()
                        .enumerate()
                        .map(|(k, &(p, _))| (p, i64::try_from(length - k - 1).unwrap_or(i64::MAX)))
                        .collect(),
                }
            })
            .collect();
        Instance {
            budget: self.budget,
            vote_type: self.vote_type.clone(),
            projects: self.projects.clone(),
            ballots,
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// A section or a required column is missing.
    #[error("missing {0}")]
    Missing(String),
    /// A number could not be read.
    #[error("line {line}: {value:?} is not a number")]
    Number {
        /// Line (1-based).
        line: usize,
        /// What was there.
        value: String,
    },
    /// The file says it has a number of projects or votes it does not.
    #[error("META says {key} is {said} but the file has {found}")]
    Count {
        /// `num_projects` or `num_votes`.
        key: &'static str,
        /// What META says.
        said: String,
        /// What the file has.
        found: usize,
    },
    /// Two projects with the same id.
    #[error("line {line}: project {project:?} is listed twice")]
    DuplicateProject {
        /// Line (1-based).
        line: usize,
        /// The id.
        project: String,
    },
    /// An ordinal ballot ranks more projects than `max_length` allows.
    #[error("line {line}: the ballot ranks more than max_length ({max_length}) projects")]
    Ranks {
        /// Line (1-based).
        line: usize,
        /// The file's `max_length`.
        max_length: usize,
    },
    /// A line outside any section.
    #[error("line {0}: text before the META section")]
    Outside(usize),
    /// A vote names a project the file does not list.
    #[error("line {line}: unknown project {project:?}")]
    UnknownProject {
        /// Line (1-based).
        line: usize,
        /// The id.
        project: String,
    },
}

/// Splits a line into fields: `;`-separated, `"…"` quoting with `""` for a
/// quote, whitespace around fields stripped. Fields borrow the line unless
/// quotes had to be undone.
fn fields(line: &str) -> Vec<Cow<'_, str>> {
    if !line.contains('"') {
        return line.split(';').map(|f| Cow::Borrowed(f.trim())).collect();
    }
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ';' if !quoted => fields.push(Cow::Owned(std::mem::take(&mut field).trim().to_owned())),
            other => field.push(other),
        }
    }
    fields.push(Cow::Owned(field.trim().to_owned()));
    fields
}

/// An exact decimal amount (`,` or `.` as the decimal separator).
pub fn amount(text: &str, line: usize) -> Result<Amount, ParseError> {
    let invalid = || ParseError::Number {
        line,
        value: text.to_owned(),
    };
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if fraction.len() > 6 || whole.is_empty() && fraction.is_empty() {
        return Err(invalid());
    }
    let whole: Amount = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let mut millionths: Amount = 0;
    for (i, digit) in fraction.chars().enumerate() {
        let d = digit.to_digit(10).ok_or_else(invalid)?;
        millionths += Amount::from(d) * 10_i128.pow(5 - u32::try_from(i).unwrap_or(5));
    }
    // Above a trillion trillion, sums of amounts could overflow; no real
    // budget comes near.
    if !(0..=MAX_AMOUNT).contains(&whole) {
        return Err(invalid());
    }
    Ok(whole * UNIT + millionths)
}

/// The fields of a line in the given columns (`None` past its end), without
/// splitting the rest of it.
fn pick<'a>(line: &'a str, columns: [Option<usize>; 2]) -> [Option<Cow<'a, str>>; 2] {
    if line.contains('"') {
        let mut all = fields(line);
        return columns.map(|c| c.and_then(|c| all.get_mut(c).map(std::mem::take)));
    }
    let last = columns.iter().flatten().max().copied().unwrap_or(0);
    let mut picked = [None, None];
    for (i, field) in line.split(';').take(last + 1).enumerate() {
        for (slot, column) in picked.iter_mut().zip(columns) {
            if column == Some(i) {
                *slot = Some(Cow::Borrowed(field.trim()));
            }
        }
    }
    picked
}

/// A value, unless empty or `none`.
fn present(value: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    value.filter(|v| !v.is_empty() && v != "none")
}

/// Reads a Pabulib file.
pub fn parse(text: &str) -> Result<Instance, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut section = String::new();
    // The columns this section needs, once its header is read.
    let mut columns: Option<[Option<usize>; 2]> = None;
    let mut meta: HashMap<String, String> = HashMap::new();
    let mut projects = Vec::new();
    // Ids come from the file: hashed with a per-process seed.
    let mut ids: HashMap<String, usize, foldhash::fast::RandomState> = HashMap::default();
    let mut raw_votes: Vec<(usize, Cow<'_, str>, Option<Cow<'_, str>>)> = Vec::new();
    let (mut seen_meta, mut seen_projects, mut seen_votes) = (false, false, false);
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if ["META", "PROJECTS", "VOTES"]
            .iter()
            .any(|name| trimmed.eq_ignore_ascii_case(name))
        {
            let upper = trimmed.to_ascii_uppercase();
            match upper.as_str() {
                "META" => seen_meta = true,
                "PROJECTS" => seen_projects = true,
                _ => seen_votes = true,
            }
            section = upper;
            columns = None;
            continue;
        }
        if section.is_empty() {
            return Err(ParseError::Outside(number));
        }
        let Some(wanted) = columns else {
            let header: Vec<String> = fields(line)
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect();
            let position = |name: &str| header.iter().position(|h| h == name);
            columns = Some(match section.as_str() {
                "META" => [Some(0), Some(1)],
                "PROJECTS" => [position("project_id"), position("cost")],
                _ => [position("vote"), position("points")],
            });
            continue;
        };
        let [first, second] = pick(line, wanted);
        match section.as_str() {
            "META" => {
                if let (Some(key), Some(value)) = (first, second) {
                    meta.insert(key.to_ascii_lowercase(), value.into_owned());
                }
            }
            "PROJECTS" => {
                let id = present(first)
                    .ok_or_else(|| ParseError::Missing("project_id".into()))?
                    .into_owned();
                if ids.insert(id.clone(), projects.len()).is_some() {
                    return Err(ParseError::DuplicateProject {
                        line: number,
                        project: id,
                    });
                }
                let cost = present(second).ok_or_else(|| ParseError::Missing("cost".into()))?;
                projects.push(Project {
                    id,
                    cost: amount(&cost, number)?,
                });
            }
            _ => raw_votes.push((number, present(first).unwrap_or_default(), present(second))),
        }
    }
    for (section, seen) in [
        ("META", &seen_meta),
        ("PROJECTS", &seen_projects),
        ("VOTES", &seen_votes),
    ] {
        if !*seen {
            return Err(ParseError::Missing(format!("the {section} section")));
        }
    }
    for (key, found) in [
        ("num_projects", projects.len()),
        ("num_votes", raw_votes.len()),
    ] {
        if let Some(said) = meta.get(key)
            && said.parse::<usize>().ok() != Some(found)
        {
            return Err(ParseError::Count {
                key,
                said: said.clone(),
                found,
            });
        }
    }
    let budget = meta
        .get("budget")
        .ok_or_else(|| ParseError::Missing("budget".into()))?;
    let budget = amount(budget, 0)?;
    let vote_type = meta
        .get("vote_type")
        .cloned()
        .unwrap_or_else(|| "approval".into());
    // Ordinal ballots: the k-th choice is worth `max_length − k` points.
    let ranks = match vote_type.as_str() {
        "ordinal" => Some(match meta.get("max_length") {
            Some(text) => text.parse::<usize>().map_err(|_| ParseError::Number {
                line: 0,
                value: text.clone(),
            })?,
            None => projects.len(),
        }),
        _ => None,
    };
    let mut ballots = Vec::with_capacity(raw_votes.len());
    // The last ballot that chose each project: a project named twice in
    // one vote counts once.
    let mut chosen_by = vec![usize::MAX; projects.len()];
    for (ballot, (line, vote, points)) in raw_votes.iter().enumerate() {
        let points: Vec<i64> = match points {
            // Only points ballots read their points (ordinal ballots'
            // come from their ranks, approval and choose-1 have none).
            Some(points) if vote_type == "cumulative" || vote_type == "scoring" => points
                .split(',')
                .map(|p| {
                    p.trim().parse::<i64>().map_err(|_| ParseError::Number {
                        line: *line,
                        value: p.to_owned(),
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let mut choices = Vec::new();
        for (i, id) in vote
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .enumerate()
        {
            let Some(&p) = ids.get(id) else {
                return Err(ParseError::UnknownProject {
                    line: *line,
                    project: id.to_owned(),
                });
            };
            if chosen_by[p] != ballot {
                chosen_by[p] = ballot;
                let points = match ranks {
                    Some(max_length) => {
                        let worth = max_length.saturating_sub(choices.len());
                        if worth == 0 {
                            return Err(ParseError::Ranks {
                                line: *line,
                                max_length,
                            });
                        }
                        i64::try_from(worth).unwrap_or(i64::MAX)
                    }
                    None => points.get(i).copied().unwrap_or(1),
                };
                choices.push((p, points));
            }
        }
        ballots.push(Ballot { choices });
    }
    Ok(Instance {
        budget,
        vote_type,
        projects,
        ballots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_decimals_bom_none_and_empty_ballots() {
        let file = "\u{feff}meta\nkey;value\nbudget;1000,50\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;500;\"Plaza; \"\"mayor\"\"\"\n2;600.5;none\nVOTES\nvoter_id;vote\na;1,2,1\nb;\n";
        let instance = parse(file).expect("parsed");
        assert_eq!(instance.budget, 1000 * UNIT + UNIT / 2);
        assert_eq!(instance.projects[1].cost, 600 * UNIT + UNIT / 2);
        assert_eq!(instance.ballots.len(), 2, "the empty ballot is a voter");
        assert_eq!(instance.ballots[0].choices, vec![(0, 1), (1, 1)]);
        assert_eq!(fields("a; \"b;c\" ;\"d\"\"e\""), vec!["a", "b;c", "d\"e"]);
        let unknown = parse(
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\na;7\n",
        );
        assert!(matches!(unknown, Err(ParseError::UnknownProject { .. })));
        assert!(amount("12,3456789", 1).is_err());
        assert!(
            amount("1000000000000000000000000000", 1).is_err(),
            "too large"
        );
        assert!(amount("-5", 1).is_err());
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        let refused = |file: &str| parse(file).expect_err(file).to_string();
        let good = "META\nkey;value\nbudget;10\nnum_projects;1\nnum_votes;1\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\na;1\n";
        assert!(parse(good).is_ok());
        assert_eq!(
            refused(&good.replace("num_votes;1", "num_votes;2")),
            "META says num_votes is 2 but the file has 1"
        );
        assert_eq!(
            refused(
                &good
                    .replace("PROJECTS\n", "")
                    .replace("project_id;cost\n1;5\n", "")
            ),
            "missing the PROJECTS section"
        );
        assert!(refused(&good.replace("budget;10", "budget;1e400")).contains("not a number"));
        assert!(
            refused(
                &good
                    .replace("1;5", "1;5\n1;6")
                    .replace("num_projects;1", "num_projects;2")
            )
            .contains("listed twice")
        );
        assert!(refused(&format!("hello\n{good}")).contains("before the META section"));
        assert!(refused(&good.replace("budget;10\n", "")).contains("missing budget"));
    }

    #[test]
    fn ordinal_ballots_carry_their_ranks_worth() {
        let file = "META\nkey;value\nbudget;10\nvote_type;ordinal\nmax_length;3\nPROJECTS\nproject_id;cost\na;5\nb;6\nc;4\nVOTES\nvoter_id;vote\n1;c,a,b\n2;b,b,a\n3;\n";
        let instance = parse(file).expect("parsed");
        let points: Vec<Vec<(usize, i64)>> =
            instance.ballots.iter().map(|b| b.choices.clone()).collect();
        // 3, 2, 1 in the voter's order; a project ranked twice counts at
        // its first place.
        assert_eq!(
            points,
            vec![vec![(2, 3), (0, 2), (1, 1)], vec![(1, 3), (0, 2)], vec![]]
        );
        let borda: Vec<Vec<(usize, i64)>> = instance
            .with_borda_points()
            .ballots
            .iter()
            .map(|b| b.choices.clone())
            .collect();
        assert_eq!(
            borda,
            vec![vec![(2, 2), (0, 1), (1, 0)], vec![(1, 1), (0, 0)], vec![]]
        );
        // Without max_length, the number of projects stands for it.
        let unbounded = parse(&file.replace("max_length;3\n", "")).expect("parsed");
        assert_eq!(unbounded.ballots[1].choices, vec![(1, 3), (0, 2)]);
        let short = file.replace("max_length;3", "max_length;2");
        assert_eq!(
            parse(&short).expect_err("too many ranks").to_string(),
            "line 13: the ballot ranks more than max_length (2) projects"
        );
    }
}
