//! Text typed into a form — reasons, notes, summaries, answers, search terms — checked in
//! one place before anything is stored or looked up: a control character (NUL, which
//! PostgreSQL refuses, an escape, a backspace…) is not text, and every field has a
//! longest length. Line breaks and tabs are text.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::frame::{ErrorPage, Page, PageError};
use crate::visitor::Visitor;

/// The longest reasons of a decision or a request for rectification, in characters.
pub(crate) const MAX_REASONS: usize = 20_000;
/// The longest note, summary, answer or search term, in characters.
pub(crate) const MAX_SHORT: usize = 2_000;

/// Why a typed text cannot be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TextError {
    #[error("control character U+{0:04X}")]
    Control(u32),
    #[error("longer than {0} characters")]
    TooLong(usize),
}

/// `text` is plain text of at most `max` characters.
pub(crate) fn plain_text(text: &str, max: usize) -> Result<(), TextError> {
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextError::Control(u32::from(c)));
    }
    if text.chars().nth(max).is_some() {
        return Err(TextError::TooLong(max));
    }
    Ok(())
}

/// The problem with a field, in the reader's language.
pub(crate) fn problem(v: &Visitor, label: &str, e: TextError) -> String {
    match e {
        TextError::Control(_) => v.tr.t1("error-text-control", "field", label),
        TextError::TooLong(max) => v.tr.t_with(
            "error-text-long",
            &[("field", label), ("max", max.to_string().as_str())],
        ),
    }
}

/// Each `(label, text, max)` typed field is plain text; otherwise the 422 page names the
/// first that is not (by its label, in the reader's language), and nothing is done.
pub(crate) fn typed(v: &Visitor, fields: &[(&str, &str, usize)]) -> Result<(), PageError> {
    for (label, text, max) in fields {
        if let Err(e) = plain_text(text, *max) {
            let page = Page::of(v);
            let message = problem(v, label, e);
            let response: Response = (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorPage {
                    page,
                    message,
                    back: None,
                },
            )
                .into_response();
            return Err(response.into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_are_text_other_controls_are_not() {
        assert_eq!(plain_text("Pay was\r\n\thigher – ä €", 100), Ok(()));
        assert_eq!(plain_text("a\0b", 100), Err(TextError::Control(0)));
        assert_eq!(plain_text("\u{1b}[31m", 100), Err(TextError::Control(0x1b)));
        assert_eq!(plain_text("\u{85}", 100), Err(TextError::Control(0x85)));
        assert_eq!(plain_text("ääää", 4), Ok(()));
        assert_eq!(plain_text("äääää", 4), Err(TextError::TooLong(4)));
    }
}
