//! Filing dates: today in Finland, and the checks on an official's registration of an
//! application that arrived through another channel.

use jiff::civil::Date;

/// The day it is now in Finland (Europe/Helsinki): the filing date of every application the
/// service receives. An applicant never chooses it.
pub fn today_in_finland() -> Date {
    jiff::Timestamp::now().to_zoned(finland()).date()
}

/// Finland's time zone (the tz database is built into the binary).
pub fn finland() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Helsinki").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// How far back an official may register an application's day of arrival.
pub const REGISTRATION_DAYS_BACK: i64 = 365;

/// Why an official's registration of an application was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error(
        "{received} is in the future: an application is registered with the day it actually arrived, {today} at the latest"
    )]
    InTheFuture { received: Date, today: Date },
    #[error(
        "{received} is more than {REGISTRATION_DAYS_BACK} days ago: an application that old is not registered here"
    )]
    TooOld { received: Date },
    #[error(
        "the reason must say how the application arrived (2–500 characters, no control characters)"
    )]
    Reason,
}

/// Checks an official's registration: the day of arrival lies within the last
/// [`REGISTRATION_DAYS_BACK`] days up to `today`, and the reason is a plain text.
pub fn check_registration(
    received: Date,
    reason: &str,
    today: Date,
) -> Result<(), RegistrationError> {
    if received > today {
        return Err(RegistrationError::InTheFuture { received, today });
    }
    let earliest = today
        .checked_sub(jiff::Span::new().days(REGISTRATION_DAYS_BACK))
        .unwrap_or(Date::MIN);
    if received < earliest {
        return Err(RegistrationError::TooOld { received });
    }
    let chars = reason.trim().chars().count();
    if !(2..=500).contains(&chars) || reason.chars().any(char::is_control) {
        return Err(RegistrationError::Reason);
    }
    Ok(())
}
