//! A council's time zone: instants shown as its local dates and times,
//! and the local days staff type turned into instants. Phases and voting
//! windows are whole local days with the last day included: a phase "until
//! 30/12" closes at 00:00 on 31/12 in the council's zone (23:59:59 on the
//! 30th is its last second), whatever the server's zone.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// An IANA time zone from the bundled database (`Europe/Madrid`).
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Zone {
    /// The zone called `name`, when the database knows it.
    pub fn named(name: &str) -> Option<Self> {
        let tz = jiff::tz::TimeZone::get(name).ok()?;
        Some(Self {
            name: name.to_owned(),
            tz,
        })
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock date and time of `at` in this zone.
    pub fn local(&self, at: OffsetDateTime) -> PrimitiveDateTime {
        let fallback = at.date().midnight();
        let Ok(instant) = jiff::Timestamp::from_second(at.unix_timestamp()) else {
            return fallback;
        };
        let civil = self.tz.to_datetime(instant);
        let date = Month::try_from(u8::try_from(civil.month()).unwrap_or(1))
            .ok()
            .and_then(|month| {
                Date::from_calendar_date(
                    i32::from(civil.year()),
                    month,
                    u8::try_from(civil.day()).unwrap_or(1),
                )
                .ok()
            });
        let clock = Time::from_hms(
            u8::try_from(civil.hour()).unwrap_or(0),
            u8::try_from(civil.minute()).unwrap_or(0),
            u8::try_from(civil.second()).unwrap_or(0),
        )
        .ok();
        match (date, clock) {
            (Some(date), Some(clock)) => PrimitiveDateTime::new(date, clock),
            _ => fallback,
        }
    }

    /// The local date an exclusive end falls on the day before of: the last
    /// day included in a window ending at `ends_at`.
    pub fn last_day(&self, ends_at: OffsetDateTime) -> Date {
        self.local(ends_at - time::Duration::seconds(1)).date()
    }

    /// The first instant of local day `day` (the earliest valid time when
    /// the day starts inside a daylight-saving gap).
    pub fn start_of(&self, day: Date) -> OffsetDateTime {
        let fallback = day.midnight().assume_utc();
        let Ok(civil) = jiff::civil::Date::new(
            i16::try_from(day.year()).unwrap_or(1970),
            i8::try_from(u8::from(day.month())).unwrap_or(1),
            i8::try_from(day.day()).unwrap_or(1),
        ) else {
            return fallback;
        };
        civil
            .to_zoned_datetime(self.tz.clone())
            .ok()
            .and_then(|zoned| {
                OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
            })
            .unwrap_or(fallback)
    }

    /// The instant of local day `day` at `clock` (a time skipped by a
    /// daylight-saving change is taken as the later one).
    pub fn at(&self, day: Date, clock: Time) -> OffsetDateTime {
        let fallback = PrimitiveDateTime::new(day, clock).assume_utc();
        let Ok(civil) = jiff::civil::DateTime::new(
            i16::try_from(day.year()).unwrap_or(1970),
            i8::try_from(u8::from(day.month())).unwrap_or(1),
            i8::try_from(day.day()).unwrap_or(1),
            i8::try_from(clock.hour()).unwrap_or(0),
            i8::try_from(clock.minute()).unwrap_or(0),
            i8::try_from(clock.second()).unwrap_or(0),
            0,
        ) else {
            return fallback;
        };
        civil
            .to_zoned_datetime(self.tz.clone())
            .ok()
            .and_then(|zoned| {
                OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
            })
            .unwrap_or(fallback)
    }

    /// The zone's offset from UTC at `at`, in seconds, with its
    /// abbreviation (`CET`) and whether it is summer time.
    pub fn offset(&self, at: OffsetDateTime) -> (i32, String, bool) {
        let instant = jiff::Timestamp::from_second(at.unix_timestamp()).unwrap_or_default();
        let info = self.tz.to_offset_info(instant);
        (
            info.offset().seconds(),
            info.abbreviation().to_owned(),
            info.dst().is_dst(),
        )
    }

    /// The changes of offset after `from` up to `until`: (instant, offset
    /// before, offset after, abbreviation after, summer time after), for
    /// calendar files that describe the zone.
    pub fn transitions(
        &self,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Vec<(OffsetDateTime, i32, i32, String, bool)> {
        let start = jiff::Timestamp::from_second(from.unix_timestamp()).unwrap_or_default();
        let mut before = self.tz.to_offset(start).seconds();
        let mut found = Vec::new();
        for transition in self.tz.following(start) {
            let Ok(at) = OffsetDateTime::from_unix_timestamp(transition.timestamp().as_second())
            else {
                break;
            };
            if at > until || found.len() >= 200 {
                break;
            }
            let after = transition.offset().seconds();
            found.push((
                at,
                before,
                after,
                transition.abbreviation().to_owned(),
                transition.dst().is_dst(),
            ));
            before = after;
        }
        found
    }

    /// The end of a window whose last included local day is `day`.
    pub fn end_of(&self, day: Date) -> OffsetDateTime {
        day.next_day()
            .map_or_else(|| self.start_of(day), |next| self.start_of(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn madrid_days_start_and_end_at_local_midnight_across_daylight_saving() {
        let madrid = Zone::named("Europe/Madrid").expect("zone");
        // Winter: UTC+1.
        assert_eq!(
            madrid.start_of(date!(2026 - 12 - 30)),
            datetime!(2026-12-29 23:00 UTC)
        );
        assert_eq!(
            madrid.end_of(date!(2026 - 12 - 30)),
            datetime!(2026-12-30 23:00 UTC)
        );
        // Summer: UTC+2.
        assert_eq!(
            madrid.start_of(date!(2026 - 07 - 01)),
            datetime!(2026-06-30 22:00 UTC)
        );
        assert_eq!(
            madrid.last_day(madrid.end_of(date!(2026 - 12 - 30))),
            date!(2026 - 12 - 30)
        );
        // The night the clocks go forward (29 March 2026, 02:00 → 03:00).
        assert_eq!(
            madrid.end_of(date!(2026 - 03 - 28)),
            datetime!(2026-03-28 23:00 UTC)
        );
        assert_eq!(
            madrid.local(datetime!(2026-03-29 01:30 UTC)),
            datetime!(2026-03-29 03:30)
        );
        // Late evening in Madrid is already the next day in UTC.
        assert_eq!(
            madrid.local(datetime!(2026-12-31 23:30 UTC)).date(),
            date!(2027 - 01 - 01)
        );
    }

    #[test]
    fn clock_times_and_offset_changes_in_madrid() {
        let madrid = Zone::named("Europe/Madrid").expect("zone");
        assert_eq!(
            madrid.at(date!(2026 - 12 - 10), time::macros::time!(19:00)),
            datetime!(2026-12-10 18:00 UTC)
        );
        assert_eq!(
            madrid.at(date!(2026 - 07 - 10), time::macros::time!(19:00)),
            datetime!(2026-07-10 17:00 UTC)
        );
        assert_eq!(madrid.offset(datetime!(2026-07-10 17:00 UTC)).0, 7200);
        let changes = madrid.transitions(
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2027-01-01 0:00 UTC),
        );
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].0, datetime!(2026-03-29 01:00 UTC));
        assert_eq!(
            (changes[0].1, changes[0].2, changes[0].4),
            (3600, 7200, true)
        );
        assert_eq!(changes[1].0, datetime!(2026-10-25 01:00 UTC));
        assert_eq!(changes[1].3, "CET");
    }

    #[test]
    fn unknown_zones_are_refused_and_canary_is_not_madrid() {
        assert!(Zone::named("Europe/Atlantis").is_none());
        assert!(Zone::named("../../etc/passwd").is_none());
        let canary = Zone::named("Atlantic/Canary").expect("zone");
        assert_eq!(
            canary.start_of(date!(2026 - 12 - 30)),
            datetime!(2026-12-30 00:00 UTC)
        );
        assert_eq!(
            Zone::utc().local(datetime!(2026-01-01 10:00 UTC)),
            datetime!(2026-01-01 10:00)
        );
    }
}
