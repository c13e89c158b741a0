//! Key lifetimes: RFC 3339 timestamps to `SystemTime` and back, without a
//! calendar crate (proleptic Gregorian, UTC, days counted from 1970-01-01).

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use toml::value::{Datetime, Offset};

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are small by construction (1..=31, 1..=12).
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Seconds since the Unix epoch of a UTC civil time.
pub(crate) fn unix_seconds(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> i64 {
    days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
}

/// `SystemTime` of a (possibly negative) count of seconds since the epoch.
pub(crate) fn system_time(unix: i64, nanos: u32) -> Option<SystemTime> {
    let base = if unix >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(unix.unsigned_abs()))
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(unix.unsigned_abs()))
    };
    base?.checked_add(Duration::from_nanos(u64::from(nanos)))
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch.
pub(crate) fn format_rfc3339(unix: i64) -> String {
    let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

const EXPECTED: &str =
    "expected an RFC 3339 timestamp with a UTC offset, e.g. \"2027-01-01T00:00:00Z\"";

/// A TOML datetime that names an instant (date, time and offset).
pub(crate) fn from_datetime(datetime: &Datetime) -> Result<SystemTime, String> {
    let (Some(date), Some(time), Some(offset)) = (datetime.date, datetime.time, datetime.offset)
    else {
        return Err(format!("\"{datetime}\" is not an instant: {EXPECTED}"));
    };
    let month = u32::from(date.month);
    let day = u32::from(date.day);
    let year = i64::from(date.year);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(format!("\"{datetime}\" is not a date: {EXPECTED}"));
    }
    let second = time.second.unwrap_or(0);
    if time.hour > 23 || time.minute > 59 || second > 60 {
        return Err(format!("\"{datetime}\" is not a time of day: {EXPECTED}"));
    }
    let offset_minutes = match offset {
        Offset::Z => 0,
        Offset::Custom { minutes } => i64::from(minutes),
    };
    let local = unix_seconds(
        year,
        month,
        day,
        u32::from(time.hour),
        u32::from(time.minute),
        u32::from(second),
    );
    system_time(local - offset_minutes * 60, time.nanosecond.unwrap_or(0))
        .ok_or_else(|| format!("\"{datetime}\" is out of range"))
}

/// An RFC 3339 timestamp in a string.
pub(crate) fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    let datetime = Datetime::from_str(text).map_err(|_| format!("\"{text}\": {EXPECTED}"))?;
    from_datetime(&datetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(at(0)));
        assert_eq!(parse_rfc3339("2027-01-01T00:00:00Z"), Ok(at(1_798_761_600)));
        assert_eq!(
            parse_rfc3339("2027-01-01T02:00:00+02:00"),
            Ok(at(1_798_761_600))
        );
        assert_eq!(parse_rfc3339("2000-02-29T12:00:00Z"), Ok(at(951_825_600)));
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59Z"),
            Ok(SystemTime::UNIX_EPOCH - Duration::from_secs(1))
        );
    }

    #[test]
    fn incomplete_or_invalid_timestamps_are_refused() {
        for bad in [
            "2027-01-01",
            "2027-01-01T00:00:00",
            "00:00:00",
            "2027-02-30T00:00:00Z",
            "2027-13-01T00:00:00Z",
            "next tuesday",
            "",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_rfc3339(1_798_761_600), "2027-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(951_825_600 + 3661), "2000-02-29T13:01:01Z");
    }
}
