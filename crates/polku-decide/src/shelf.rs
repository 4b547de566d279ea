//! The rules over time: the shipped rule texts with every approved change laid over them
//! from its effective date. A shelf is a snapshot; who reads the approved changes and when
//! (the store, a refresh) is the caller's business.

use std::sync::Arc;

use jiff::civil::Date;
use polku_rules::RuleBook;
use uuid::Uuid;

/// One approved change of a rule set's text, as the shelf needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedText {
    /// The approved proposal.
    pub id: Uuid,
    pub rule_set: String,
    pub text: String,
    pub tests_text: Option<String>,
    /// The day it takes effect, as stored (`YYYY-MM-DD`).
    pub effective_from: String,
    /// When it was approved (microseconds since the epoch).
    pub decided_at: Option<i64>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShelfError {
    /// Deciding under other rules than the approved ones would be worse than not deciding.
    #[error("the approved rule proposal {id} no longer loads: {detail}")]
    StoredTextBroken { id: Uuid, detail: String },
}

/// One rule text in force from a date.
#[derive(Debug)]
pub struct Layer {
    /// `None` for the shipped texts, in force from the beginning.
    pub from: Option<Date>,
    /// The approved proposal that starts this layer, and the rule set it changes.
    pub proposal: Option<Uuid>,
    pub rule_set: Option<String>,
    pub book: Arc<RuleBook>,
}

/// A snapshot of the rules over time: layers ordered by the day they take effect.
#[derive(Debug)]
pub struct RuleShelf {
    layers: Vec<Layer>,
    stamp: (i64, i64),
}

impl RuleShelf {
    /// The shipped texts alone.
    pub fn shipped(book: Arc<RuleBook>) -> RuleShelf {
        RuleShelf {
            layers: vec![Layer {
                from: None,
                proposal: None,
                rule_set: None,
                book,
            }],
            stamp: (0, 0),
        }
    }

    /// Layers in order of effect over `shipped`: each approved text replaces its rule set's
    /// file in the layer before it. `stamp` says what the source held when `approved` was
    /// read (see [`RuleShelf::stamp`]).
    pub fn build(
        shipped: Arc<RuleBook>,
        approved: &[ApprovedText],
        stamp: (i64, i64),
    ) -> Result<RuleShelf, ShelfError> {
        let mut ordered: Vec<&ApprovedText> = approved.iter().collect();
        ordered.sort_by(|a, b| {
            (a.effective_from.as_str(), a.decided_at)
                .cmp(&(b.effective_from.as_str(), b.decided_at))
        });
        let mut shelf = RuleShelf::shipped(shipped);
        shelf.stamp = stamp;
        for p in ordered {
            let broken = |detail: String| ShelfError::StoredTextBroken { id: p.id, detail };
            let from: Date = p.effective_from.parse().map_err(|_| {
                broken(format!(
                    "its effective date `{}` is not a date",
                    p.effective_from
                ))
            })?;
            let before = &shelf.layers[shelf.layers.len() - 1].book;
            let book = before
                .with_text(&p.rule_set, &p.text, p.tests_text.as_deref())
                .map_err(|e| broken(e.to_string()))?;
            shelf.layers.push(Layer {
                from: Some(from),
                proposal: Some(p.id),
                rule_set: Some(p.rule_set.clone()),
                book: Arc::new(book),
            });
        }
        Ok(shelf)
    }

    /// The rules in force on `date`.
    pub fn on(&self, date: Date) -> &Arc<RuleBook> {
        let i = self
            .layers
            .partition_point(|l| l.from.is_none_or(|from| from <= date));
        &self.layers[i.saturating_sub(1)].book
    }

    /// The rules with every approved change, those still to take effect included: what a
    /// new proposal is written against.
    pub fn latest(&self) -> &Arc<RuleBook> {
        // The shelf always has the shipped layer.
        &self.layers[self.layers.len() - 1].book
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// What the source held when this shelf was built: (approved changes, latest approval).
    /// Approvals are never undone, so a greater stamp is a later state.
    pub fn stamp(&self) -> (i64, i64) {
        self.stamp
    }
}
