//! iCalendar files (RFC 5545): events with their times in the council's
//! zone (`DTSTART;TZID=Europe/Madrid:…`) and that zone described in a
//! `VTIMEZONE` built from the time-zone database, so that calendars
//! without it still place meetings right. Lines end in CRLF and fold at
//! 75 octets; text values are escaped.

use cabildo_tenancy::Zone;
use std::fmt::Write;
use time::OffsetDateTime;

/// One event.
pub struct Event {
    /// Globally unique id (`{meeting}@{host}`).
    pub uid: String,
    /// Title.
    pub summary: String,
    /// Longer text (plain).
    pub description: String,
    /// Starts.
    pub starts_at: OffsetDateTime,
    /// Ends.
    pub ends_at: OffsetDateTime,
    /// Where, as people read it.
    pub location: String,
    /// The place on the map (latitude, longitude).
    pub geo: Option<(f64, f64)>,
    /// Its page (absolute).
    pub url: String,
    /// Cancelled: calendars strike it through.
    pub cancelled: bool,
}

/// A calendar file named `name` with `events`, times in `zone`; `now`
/// stamps the events (`DTSTAMP`).
pub fn calendar(name: &str, zone: &Zone, events: &[Event], now: OffsetDateTime) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Cabildo//Cabildo participation//ES".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", text(name)),
        format!("X-WR-TIMEZONE:{}", zone.name()),
    ];
    if !events.is_empty() {
        lines.extend(timezone(zone, events));
    }
    for event in events {
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}", text(&event.uid)));
        lines.push(format!("DTSTAMP:{}", utc(now)));
        lines.push(format!(
            "DTSTART;TZID={}:{}",
            zone.name(),
            local(zone, event.starts_at)
        ));
        lines.push(format!(
            "DTEND;TZID={}:{}",
            zone.name(),
            local(zone, event.ends_at)
        ));
        lines.push(format!("SUMMARY:{}", text(&event.summary)));
        if !event.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", text(&event.description)));
        }
        if !event.location.is_empty() {
            lines.push(format!("LOCATION:{}", text(&event.location)));
        }
        if let Some((latitude, longitude)) = event.geo {
            lines.push(format!("GEO:{latitude:.6};{longitude:.6}"));
        }
        lines.push(format!("URL:{}", event.url));
        lines.push(
            if event.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            }
            .to_owned(),
        );
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in lines {
        fold(&mut out, &line);
    }
    out
}

/// The zone's `VTIMEZONE`: every change of offset from a year before the
/// first event to the last one, and the offset in force before them.
fn timezone(zone: &Zone, events: &[Event]) -> Vec<String> {
    let first = (events.iter().map(|e| e.starts_at).min()).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let last = (events.iter().map(|e| e.ends_at).max()).unwrap_or(first);
    let from = first - time::Duration::days(366);
    let mut lines = vec![
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{}", zone.name()),
    ];
    let (offset, name, summer) = zone.offset(from);
    let mut part = |kind: bool, start: String, before: i32, after: i32, name: &str| {
        let kind = if kind { "DAYLIGHT" } else { "STANDARD" };
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{start}"));
        lines.push(format!("TZOFFSETFROM:{}", offset_text(before)));
        lines.push(format!("TZOFFSETTO:{}", offset_text(after)));
        if !name.is_empty() {
            lines.push(format!("TZNAME:{}", text(name)));
        }
        lines.push(format!("END:{kind}"));
    };
    // The offset in force at the start of the span, as if it began then.
    part(summer, local_with(from, offset), offset, offset, &name);
    for (at, before, after, name, summer) in zone.transitions(from, last) {
        // DTSTART of a change is the wall-clock time just before it.
        part(summer, local_with(at, before), before, after, &name);
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines
}

/// `+0100` for 3600 seconds.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// `20261210T190000` on the zone's clock.
fn local(zone: &Zone, at: OffsetDateTime) -> String {
    basic(zone.local(at))
}

/// `at` as wall-clock time at a fixed offset.
fn local_with(at: OffsetDateTime, offset: i32) -> String {
    let shifted = at + time::Duration::seconds(i64::from(offset));
    basic(time::PrimitiveDateTime::new(shifted.date(), shifted.time()))
}

fn basic(at: time::PrimitiveDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `20261210T180000Z`.
fn utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}Z",
        basic(time::PrimitiveDateTime::new(at.date(), at.time()))
    )
}

/// A TEXT value: backslashes, semicolons, commas and line breaks escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (never inside a character), CRLF.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    let _ = out.write_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn long_lines_fold_between_characters_and_text_is_escaped() {
        let mut out = String::new();
        fold(&mut out, &format!("SUMMARY:{}", "ñ".repeat(60)));
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "ñ".repeat(60))
        );
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(offset_text(3600), "+0100");
        assert_eq!(offset_text(-9000), "-0230");
        assert_eq!(utc(datetime!(2026-12-10 18:00 UTC)), "20261210T180000Z");
    }
}
