//! How a person chose to be told: the channel, the address, the language.

use std::fmt;
use std::str::FromStr;

use polku_rules::Lang;

/// Where a person's notifications go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The national messages service (Suomi.fi Messages): read after a strong sign-in.
    Messages,
    /// Email to the address the person gave.
    Email,
    /// Nothing is sent: the person follows the e-service.
    Service,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Messages, Channel::Email, Channel::Service];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Messages => "messages",
            Channel::Email => "email",
            Channel::Service => "service",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Channel {
    type Err = PreferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or(PreferenceError::UnknownChannel)
    }
}

/// The longest address SMTP carries (RFC 5321: a path of 256 octets, less the brackets).
pub const MAX_EMAIL: usize = 254;

/// An email address that SMTP can carry: one `local@domain`, no display name, no spaces or
/// control characters, at most [`MAX_EMAIL`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(text: &str) -> Result<EmailAddress, PreferenceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PreferenceError::EmailMissing);
        }
        if text.len() > MAX_EMAIL || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(PreferenceError::EmailInvalid);
        }
        // lettre's parser is the one that sends: what it takes, SMTP carries.
        let parsed: lettre::Address = text.parse().map_err(|_| PreferenceError::EmailInvalid)?;
        // A domain must have a dot: `user@localhost` is no one's address.
        if !parsed.domain().contains('.') || parsed.domain().ends_with('.') {
            return Err(PreferenceError::EmailInvalid);
        }
        Ok(EmailAddress(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPreference {
    pub channel: Channel,
    /// Required with [`Channel::Email`]; kept (and not used) with the others, so a person
    /// who switches back does not type it again.
    pub email: Option<EmailAddress>,
    pub language: Lang,
}

impl ContactPreference {
    /// What applies to a person who has not chosen: the messages service, in Finnish
    /// (the Act on Electronic Services sends there when the person has a mailbox).
    pub const DEFAULT: ContactPreference = ContactPreference {
        channel: Channel::Messages,
        email: None,
        language: Lang::Fi,
    };

    /// A choice as a form gives it, checked.
    pub fn new(
        channel: Channel,
        email: &str,
        language: Lang,
    ) -> Result<ContactPreference, PreferenceError> {
        let email = match (channel, email.trim().is_empty()) {
            (Channel::Email, _) => Some(EmailAddress::parse(email)?),
            (_, true) => None,
            (_, false) => Some(EmailAddress::parse(email)?),
        };
        Ok(ContactPreference {
            channel,
            email,
            language,
        })
    }
}

/// Why a choice is not taken; each says what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PreferenceError {
    #[error("give the email address the notifications are sent to")]
    EmailMissing,
    #[error("the email address is not one that mail can be sent to: write it as name@example.fi")]
    EmailInvalid,
    #[error("choose the messages service, email or the e-service only")]
    UnknownChannel,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_people_write_are_taken_and_others_say_why_not() {
        for ok in [
            "aino@example.fi",
            "  aino.virtanen+polku@posti.example.com ",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(EmailAddress::parse(" "), Err(PreferenceError::EmailMissing));
        for bad in [
            "aino",
            "aino@",
            "@example.fi",
            "aino@localhost",
            "aino virtanen@example.fi",
            "Aino <aino@example.fi>",
            "aino@example.fi\r\nBcc: x@example.fi",
            &format!("{}@example.fi", "a".repeat(250)),
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(PreferenceError::EmailInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn email_is_required_only_for_the_email_channel() {
        assert_eq!(
            ContactPreference::new(Channel::Email, "", Lang::Sv),
            Err(PreferenceError::EmailMissing)
        );
        let p = ContactPreference::new(Channel::Service, "", Lang::En).unwrap();
        assert_eq!(p.email, None);
        let p = ContactPreference::new(Channel::Messages, "aino@example.fi", Lang::Fi).unwrap();
        assert_eq!(p.email.unwrap().as_str(), "aino@example.fi");
        assert_eq!(
            "sms".parse::<Channel>(),
            Err(PreferenceError::UnknownChannel)
        );
    }
}
