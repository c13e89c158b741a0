//! quagga's key lifetimes: `HH:MM:SS DAY MONTH YEAR` (or `HH:MM:SS MONTH DAY
//! YEAR`), then an end time, `duration SECONDS` or `infinite`.
//!
//! quagga reads these in the machine's local time; they are converted here
//! as UTC (the importer says so in the file it writes).

use crate::config::timestamp::{days_in_month, unix_seconds};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month by name, abbreviated to three letters or more, any case.
fn month(word: &str) -> Option<u32> {
    let word = word.to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| m.starts_with(&word))?;
    u32::try_from(index + 1).ok()
}

/// `HH:MM:SS` `DAY MONTH YEAR` | `MONTH DAY YEAR` as seconds since the epoch.
fn instant(words: &[&str]) -> Result<i64, String> {
    let [clock, a, b, year] = words else {
        return Err("expected HH:MM:SS DAY MONTH YEAR".into());
    };
    let hms: Vec<u32> = clock.split(':').filter_map(|p| p.parse().ok()).collect();
    let [hour, minute, second] = hms.as_slice() else {
        return Err(format!("\"{clock}\" is not HH:MM:SS"));
    };
    if *hour > 23 || *minute > 59 || *second > 59 {
        return Err(format!("\"{clock}\" is not a time of day"));
    }
    let (day, month) = match (a.parse::<u32>(), month(a)) {
        (Ok(day), _) => (Some(day), month(b)),
        (_, Some(m)) => (b.parse::<u32>().ok(), Some(m)),
        _ => (None, None),
    };
    let (Some(day), Some(month)) = (day, month) else {
        return Err(format!("\"{a} {b}\" is not DAY MONTH or MONTH DAY"));
    };
    let year: i64 = year
        .parse()
        .map_err(|_| format!("\"{year}\" is not a year"))?;
    if !(1970..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
        return Err(format!("{day} {a} {b} {year} is not a date"));
    }
    Ok(unix_seconds(year, month, day, *hour, *minute, *second))
}

/// The words after `accept-lifetime` or `send-lifetime`: from, and until
/// (`None` for `infinite`).
pub(super) fn parse(words: &[&str]) -> Result<(i64, Option<i64>), String> {
    let (start, end) = words.split_at(words.len().min(4));
    let from = instant(start)?;
    let until = match end {
        ["infinite"] => None,
        ["duration", seconds] => {
            let seconds: u32 = seconds
                .parse()
                .map_err(|_| format!("\"{seconds}\" is not a number of seconds"))?;
            Some(from + i64::from(seconds))
        }
        [_, _, _, _] => Some(instant(end)?),
        _ => {
            return Err(
                "expected an end: HH:MM:SS DAY MONTH YEAR, duration SECONDS or infinite".into(),
            );
        }
    };
    if until.is_some_and(|until| until <= from) {
        return Err("the lifetime ends before it starts".into());
    }
    Ok((from, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_1_2027: i64 = 1_798_761_600;

    #[test]
    fn both_orders_of_day_and_month() {
        let w = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let parse_str = |s: &str| {
            let words = w(s);
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            parse(&refs)
        };
        assert_eq!(
            parse_str("00:00:00 1 Jan 2027 infinite"),
            Ok((JAN_1_2027, None))
        );
        assert_eq!(
            parse_str("00:00:00 january 1 2027 infinite"),
            Ok((JAN_1_2027, None))
        );
        assert_eq!(
            parse_str("00:00:00 Jan 1 2027 duration 3600"),
            Ok((JAN_1_2027, Some(JAN_1_2027 + 3600)))
        );
        assert_eq!(
            parse_str("00:00:00 1 Jan 2027 01:00:00 2 Jan 2027"),
            Ok((JAN_1_2027, Some(JAN_1_2027 + 90_000)))
        );
        assert!(parse_str("00:00:00 1 Jan 2027").is_err());
        assert!(parse_str("00:00:00 31 Feb 2027 infinite").is_err());
        assert!(parse_str("25:00:00 1 Jan 2027 infinite").is_err());
        assert!(parse_str("00:00:00 1 Ja 2027 infinite").is_err());
        assert!(parse_str("00:00:00 2 Jan 2027 00:00:00 1 Jan 2027").is_err());
    }
}
