//! Drawing a citizens' assembly by lot, as a pure function anyone can
//! recompute from what is published: the seed, the seats, the census
//! counts per stratum and the pool of tickets with their strata.
//!
//! 1. **Strata** are district × age band (16–29, 30–44, 45–64, 65 and
//!    over), the groups the census can count.
//! 2. **Seats per stratum** are proportional to the census counts, by the
//!    largest remainder (Hamilton): each stratum gets the whole part of
//!    `seats × count / total`, and the seats left go to the largest
//!    fractions (ties: the stratum that sorts first). A stratum with fewer
//!    volunteers than seats keeps what it can fill; the seats it leaves are
//!    shared again the same way among the strata with volunteers left,
//!    until every seat is filled or nobody is left.
//! 3. **Order within a stratum**: each ticket's key is the SHA-256 of
//!    `"{seed}:{ticket}"` (hexadecimal), and tickets go in increasing key
//!    order — `printf '%s' 'seed:12' | sha256sum` recomputes one.
//! 4. **Balance by sex**: filling a stratum, each seat goes to the first
//!    ticket in order whose sex (female or male) is the one with fewer
//!    seats so far in the whole draw; when it has none left, or both have
//!    as many, to the first ticket in order. People who give another
//!    answer or none are drawn in order.
//!
//! Strata are filled in their sort order (district, then age band).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Age bands (first age of each): 16–29, 30–44, 45–64, 65 and over.
pub const AGE_BANDS: [u8; 4] = [16, 30, 45, 65];

/// The age band of someone `age` years old (none under 16).
pub fn age_band(age: i32) -> Option<u8> {
    AGE_BANDS
        .iter()
        .rev()
        .find(|first| age >= i32::from(**first))
        .copied()
}

/// A stratum: a district's code and an age band's first age.
pub type Stratum = (String, u8);

/// A volunteer's ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Its public number.
    pub number: i64,
    /// Their stratum.
    pub stratum: Stratum,
    /// `female`, `male`, or anything else (not balanced).
    pub sex: String,
}

/// What the draw did in one stratum.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StratumLog {
    /// District code.
    pub district: String,
    /// First age of the band.
    pub age_band: u8,
    /// Residents of the census in it.
    pub census: i64,
    /// Volunteers in it.
    pub volunteers: usize,
    /// Seats it was due by the census.
    pub due: usize,
    /// Tickets drawn, in the order drawn.
    pub drawn: Vec<i64>,
}

/// The key that orders ticket `number` for `seed`.
pub fn key(seed: &str, number: i64) -> String {
    let digest = Sha256::digest(format!("{seed}:{number}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seats for each stratum by the largest remainder: `weights` in their
/// order, `seats` to share; strata with weight 0 get none.
fn hamilton(weights: &[i64], seats: usize) -> Vec<usize> {
    let total: i64 = weights.iter().sum();
    if total <= 0 {
        return vec![0; weights.len()];
    }
    let seats_i = i64::try_from(seats).unwrap_or(i64::MAX);
    let mut shares: Vec<usize> = (weights.iter())
        .map(|w| usize::try_from(seats_i * w / total).unwrap_or(0))
        .collect();
    let given: usize = shares.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; the earlier stratum on a tie.
    order.sort_by_key(|&i| (std::cmp::Reverse((seats_i * weights[i]) % total), i));
    for &i in order.iter().take(seats.saturating_sub(given)) {
        shares[i] += 1;
    }
    shares
}

/// Draws `seats` tickets from `pool` with `seed`, strata weighted by
/// `census` (residents per stratum). Returns each stratum's log, in
/// stratum order; the tickets drawn are in their `drawn` lists.
pub fn draw(
    seed: &str,
    seats: usize,
    census: &BTreeMap<Stratum, i64>,
    pool: &[Ticket],
) -> Vec<StratumLog> {
    let mut strata: BTreeMap<Stratum, Vec<&Ticket>> = BTreeMap::new();
    for stratum in census.keys() {
        strata.entry(stratum.clone()).or_default();
    }
    for ticket in pool {
        strata
            .entry(ticket.stratum.clone())
            .or_default()
            .push(ticket);
    }
    for tickets in strata.values_mut() {
        tickets.sort_by_cached_key(|t| key(seed, t.number));
    }
    let names: Vec<Stratum> = strata.keys().cloned().collect();
    let weights: Vec<i64> = (names.iter())
        .map(|s| census.get(s).copied().unwrap_or(0))
        .collect();
    let due = hamilton(&weights, seats);
    // How many each stratum fills: what it is due, capped by its
    // volunteers; seats left are shared again among those with more.
    let available: Vec<usize> = names.iter().map(|s| strata[s].len()).collect();
    let mut take: Vec<usize> = (due.iter().zip(&available))
        .map(|(d, a)| *d.min(a))
        .collect();
    loop {
        let left = seats.saturating_sub(take.iter().sum());
        let open: Vec<usize> = (0..names.len())
            .filter(|&i| take[i] < available[i] && weights[i] > 0)
            .collect();
        if left == 0 || open.is_empty() {
            break;
        }
        let extra = hamilton(&open.iter().map(|&i| weights[i]).collect::<Vec<_>>(), left);
        let before: usize = take.iter().sum();
        for (&i, more) in open.iter().zip(extra) {
            take[i] = (take[i] + more).min(available[i]);
        }
        if take.iter().sum::<usize>() == before {
            // Fewer seats than strata left open: one each, in order.
            for &i in open.iter().take(left) {
                take[i] += 1;
            }
        }
    }
    let (mut women, mut men) = (0usize, 0usize);
    let mut logs = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let mut remaining: Vec<&Ticket> = strata[name].clone();
        let mut drawn = Vec::new();
        for _ in 0..take[i] {
            let wanted = match women.cmp(&men) {
                std::cmp::Ordering::Less => Some("female"),
                std::cmp::Ordering::Greater => Some("male"),
                std::cmp::Ordering::Equal => None,
            };
            let at = wanted
                .and_then(|sex| remaining.iter().position(|t| t.sex == sex))
                .unwrap_or(0);
            let ticket = remaining.remove(at);
            match ticket.sex.as_str() {
                "female" => women += 1,
                "male" => men += 1,
                _ => {}
            }
            drawn.push(ticket.number);
        }
        logs.push(StratumLog {
            district: name.0.clone(),
            age_band: name.1,
            census: weights[i],
            volunteers: available[i],
            due: due[i],
            drawn,
        });
    }
    logs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(number: i64, district: &str, band: u8, sex: &str) -> Ticket {
        Ticket {
            number,
            stratum: (district.to_owned(), band),
            sex: sex.to_owned(),
        }
    }

    fn census() -> BTreeMap<Stratum, i64> {
        BTreeMap::from([
            (("centro".to_owned(), 16), 300),
            (("centro".to_owned(), 65), 100),
            (("norte".to_owned(), 16), 600),
        ])
    }

    fn pool() -> Vec<Ticket> {
        let mut pool = Vec::new();
        for n in 1..=40 {
            let (district, band) = match n % 4 {
                0 => ("centro", 16),
                1 => ("centro", 65),
                _ => ("norte", 16),
            };
            pool.push(ticket(
                n,
                district,
                band,
                if n % 3 == 0 { "female" } else { "male" },
            ));
        }
        pool
    }

    #[test]
    fn bands_start_at_16_30_45_and_65() {
        assert_eq!(age_band(15), None);
        assert_eq!(age_band(16), Some(16));
        assert_eq!(age_band(44), Some(30));
        assert_eq!(age_band(64), Some(45));
        assert_eq!(age_band(90), Some(65));
    }

    #[test]
    fn the_largest_remainder_shares_seats_by_the_census() {
        assert_eq!(hamilton(&[300, 100, 600], 10), [3, 1, 6]);
        // 7 × (3, 1, 6)/10 = 2.1, 0.7, 4.2: the largest remainder (0.7)
        // gets the seventh.
        assert_eq!(hamilton(&[300, 100, 600], 7), [2, 1, 4]);
        assert_eq!(hamilton(&[0, 0], 3), [0, 0]);
        assert_eq!(hamilton(&[1, 1, 1], 2), [1, 1, 0], "ties go in order");
    }

    #[test]
    fn the_same_seed_draws_the_same_tickets_and_another_seed_others() {
        let first = draw("sorteo-2026", 10, &census(), &pool());
        assert_eq!(first, draw("sorteo-2026", 10, &census(), &pool()));
        let other = draw("otra-semilla", 10, &census(), &pool());
        assert_ne!(first, other);
        let seats: Vec<usize> = first.iter().map(|s| s.drawn.len()).collect();
        assert_eq!(seats, [3, 1, 6], "proportional to the census");
        // Each stratum's tickets come from it, once.
        let mut all: Vec<i64> = first.iter().flat_map(|s| s.drawn.clone()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 10);
        for log in &first {
            for number in &log.drawn {
                let t = &pool()[usize::try_from(*number - 1).expect("index")];
                assert_eq!(t.stratum, (log.district.clone(), log.age_band));
            }
        }
    }

    #[test]
    fn women_and_men_are_balanced_where_the_pool_allows() {
        let logs = draw("equilibrio", 10, &census(), &pool());
        let sexes: Vec<String> = (logs.iter())
            .flat_map(|l| l.drawn.clone())
            .map(|n| pool()[usize::try_from(n - 1).expect("index")].sex.clone())
            .collect();
        let women = sexes.iter().filter(|s| *s == "female").count();
        assert_eq!(women, 5, "{sexes:?}");
    }

    #[test]
    fn seats_a_stratum_cannot_fill_go_to_the_others() {
        let short = vec![
            ticket(1, "centro", 65, "female"),
            ticket(2, "norte", 16, "male"),
            ticket(3, "norte", 16, "female"),
            ticket(4, "norte", 16, "male"),
            ticket(5, "norte", 16, "female"),
            ticket(6, "centro", 16, "male"),
        ];
        let logs = draw("x", 5, &census(), &short);
        let seats: Vec<usize> = logs.iter().map(|s| s.drawn.len()).collect();
        // Due (2, 0, 3) — 5 × (.3, .1, .6) = 1.5, .5, 3: remainders .5
        // and .5, the earlier first — but centro/16 has one volunteer: its
        // seat left goes again by the census among the others.
        assert_eq!(logs[0].due, 2);
        assert_eq!(seats.iter().sum::<usize>(), 5);
        assert_eq!(seats[0], 1);
        // More seats than volunteers: everyone, no more.
        let all = draw("x", 50, &census(), &short);
        assert_eq!(all.iter().map(|s| s.drawn.len()).sum::<usize>(), 6);
    }

    #[test]
    fn keys_are_the_hex_sha256_of_seed_colon_ticket() {
        // printf '%s' 'abc:1' | sha256sum
        assert_eq!(
            key("abc", 1),
            "bfcf0b9cbe9d8208b2cddd9a01c31a9a60698a106a0e4fc1664233a15f16acec"
        );
    }
}
