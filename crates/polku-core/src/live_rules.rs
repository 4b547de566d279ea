//! The rules the machine applies, over time: the shipped rule texts (built into the binary
//! or read from `--rules`) with every approved rule proposal laid over them from its
//! effective date.
//!
//! A case is decided by the rules in force on its application date, so a change approved
//! today for next month decides the applications filed next month and none before. A
//! worker takes one snapshot ([`RuleShelf`]) per case and keeps it for the work in hand;
//! approving a proposal builds a new shelf and swaps it in, so no reader ever sees half a
//! change. Every server reloads the shelf when the approved proposals in the store change
//! ([`LiveRules::refresh`]), so instances on one database agree.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use jiff::civil::Date;
use polku_rules::RuleBook;
use uuid::Uuid;

use crate::rule_proposals::{ProposalError, RuleProposal};
use crate::store::Store;

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
    /// What the store held when this shelf was built: (approved proposals, latest approval).
    pub(crate) stamp: (i64, i64),
}

impl RuleShelf {
    /// The rules in force on `date`.
    pub fn on(&self, date: Date) -> &Arc<RuleBook> {
        let i = self
            .layers
            .partition_point(|l| l.from.is_none_or(|from| from <= date));
        &self.layers[i.saturating_sub(1)].book
    }

    /// The rules in force today.
    pub fn today(&self) -> &Arc<RuleBook> {
        self.on(crate::today_in_finland())
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
}

/// The shared, swappable rules of a process. Cloning shares them.
#[derive(Debug, Clone)]
pub struct LiveRules {
    shipped: Arc<RuleBook>,
    shelf: Arc<RwLock<Arc<RuleShelf>>>,
    /// When the store was last asked (microseconds since the epoch; 0: never).
    refreshed_at: Arc<AtomicI64>,
}

impl From<RuleBook> for LiveRules {
    fn from(book: RuleBook) -> Self {
        LiveRules::new(Arc::new(book))
    }
}

impl From<Arc<RuleBook>> for LiveRules {
    fn from(book: Arc<RuleBook>) -> Self {
        LiveRules::new(book)
    }
}

impl From<&Arc<RuleBook>> for LiveRules {
    fn from(book: &Arc<RuleBook>) -> Self {
        LiveRules::new(book.clone())
    }
}

/// Shares the same rules (a clone).
impl From<&LiveRules> for LiveRules {
    fn from(rules: &LiveRules) -> Self {
        rules.clone()
    }
}

impl LiveRules {
    /// The shipped texts alone; [`LiveRules::refresh`] lays the approved proposals over them.
    pub fn new(shipped: Arc<RuleBook>) -> LiveRules {
        let shelf = RuleShelf {
            layers: vec![Layer {
                from: None,
                proposal: None,
                rule_set: None,
                book: shipped.clone(),
            }],
            stamp: (0, 0),
        };
        LiveRules {
            shipped,
            shelf: Arc::new(RwLock::new(Arc::new(shelf))),
            refreshed_at: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The current snapshot; keep it for the work in hand.
    pub fn shelf(&self) -> Arc<RuleShelf> {
        match self.shelf.read() {
            Ok(s) => s.clone(),
            // A panic while swapping cannot leave a half-built shelf: the swap is one store.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The rules in force on `date`.
    pub fn on(&self, date: Date) -> Arc<RuleBook> {
        self.shelf().on(date).clone()
    }

    /// The rules in force today.
    pub fn today(&self) -> Arc<RuleBook> {
        self.shelf().today().clone()
    }

    /// The texts shipped with the binary (or read from `--rules`).
    pub fn shipped(&self) -> &Arc<RuleBook> {
        &self.shipped
    }

    /// Rebuilds the shelf if the approved proposals in `store` changed since it was built.
    /// Returns whether it did. A stored approved text that no longer loads (a newer binary
    /// changed the format, say) is an error: deciding under other rules than the approved
    /// ones would be worse than not deciding.
    pub async fn refresh(&self, store: &Store) -> Result<bool, ProposalError> {
        let asked = jiff::Timestamp::now().as_microsecond();
        let stamp = store.approved_stamp().await?;
        if self.shelf().stamp == stamp {
            self.refreshed_at.fetch_max(asked, Ordering::Relaxed);
            return Ok(false);
        }
        let approved = store.approved_proposals().await?;
        // The stamp of what was actually read (an approval may have landed in between).
        let stamp = (
            i64::try_from(approved.len()).unwrap_or(i64::MAX),
            approved
                .iter()
                .filter_map(|p| p.decided_at)
                .max()
                .unwrap_or(0),
        );
        let shelf = Arc::new(self.build(&approved, stamp)?);
        // Approvals are never undone, so a later stamp is a later state: a refresh that
        // read earlier than another (they may run at once) must not put older rules back.
        let mut slot = match self.shelf.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slot.stamp < stamp {
            *slot = shelf;
        }
        drop(slot);
        self.refreshed_at.fetch_max(asked, Ordering::Relaxed);
        Ok(true)
    }

    /// The rules that decide an application filed on `date`, certain to include every
    /// change approved for that day. A change is approved before the day it takes effect
    /// begins, so a shelf read from the store after that day began holds it; an older
    /// shelf is refreshed first (once a day in practice, whatever the poll interval).
    pub async fn for_filing_date(
        &self,
        store: &Store,
        date: Date,
    ) -> Result<Arc<RuleBook>, ProposalError> {
        let day_began = date
            .to_zoned(crate::finland())
            .map_or(i64::MAX, |z| z.timestamp().as_microsecond());
        if self.refreshed_at.load(Ordering::Relaxed) < day_began {
            self.refresh(store).await?;
        }
        Ok(self.on(date))
    }

    /// Layers in order of effect: each approved text replaces its rule set's file in the
    /// layer before it.
    fn build(
        &self,
        approved: &[RuleProposal],
        stamp: (i64, i64),
    ) -> Result<RuleShelf, ProposalError> {
        let mut ordered: Vec<&RuleProposal> = approved.iter().collect();
        ordered.sort_by(|a, b| {
            (a.effective_from.as_str(), a.decided_at)
                .cmp(&(b.effective_from.as_str(), b.decided_at))
        });
        let mut layers = vec![Layer {
            from: None,
            proposal: None,
            rule_set: None,
            book: self.shipped.clone(),
        }];
        for p in ordered {
            let from = p.effective_date()?;
            let before = &layers[layers.len() - 1].book;
            let book = before
                .with_text(&p.rule_set, &p.text, p.tests_text.as_deref())
                .map_err(|e| ProposalError::StoredTextBroken {
                    id: p.id,
                    detail: e.to_string(),
                })?;
            layers.push(Layer {
                from: Some(from),
                proposal: Some(p.id),
                rule_set: Some(p.rule_set.clone()),
                book: Arc::new(book),
            });
        }
        Ok(RuleShelf { layers, stamp })
    }
}
