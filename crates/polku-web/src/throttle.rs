//! Limits on guessing officials' passwords. After [`FREE_FAILURES`] failed sign-ins for
//! a username, or from a client address, with less than [`WINDOW`] between them, the
//! next attempt must wait: 1 s, then twice as long after each further failure (at most
//! [`WINDOW`]). An attempt counts as a failure from the moment it starts, so parallel
//! guesses are limited as sequential ones are; a success takes its own count back and
//! forgets the username's failures (never the address's: one account of one's own must
//! not reset a guesser's address).
//!
//! The counts live in this process's memory only: each `polku serve` process counts for
//! itself, and a restart forgets them. At most [`MAX_ENTRIES`] usernames and addresses
//! are remembered (the oldest quiet ones give way), each username cut to
//! [`MAX_USERNAME`] bytes, so the table cannot be used to exhaust memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed before an attempt must wait.
pub const FREE_FAILURES: u32 = 5;
/// How long a quiet username or address takes to be forgotten; also the longest wait.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How many usernames and addresses are remembered at most.
pub const MAX_ENTRIES: usize = 10_000;
/// The longest part of a username that is remembered.
pub const MAX_USERNAME: usize = 256;

/// What is counted: a username, or a client's address (`None`: the server does not know
/// its peers, and every client shares one count). IPv6 addresses count per /64, the
/// block one client usually holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Username(String),
    Address(Option<IpAddr>),
}

impl Key {
    fn username(username: &str) -> Key {
        let mut end = username.len().min(MAX_USERNAME);
        while !username.is_char_boundary(end) {
            end -= 1;
        }
        Key::Username(username[..end].to_owned())
    }

    fn address(address: Option<IpAddr>) -> Key {
        Key::Address(address.map(|a| match a {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into())
            }
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
            IpAddr::V4(_) => a,
        }))
    }
}

#[derive(Debug, Clone, Copy)]
struct Count {
    failures: u32,
    last: Instant,
    /// No attempt before this.
    until: Instant,
}

impl Count {
    fn forgotten(&self, now: Instant) -> bool {
        now >= self.until && now.saturating_duration_since(self.last) >= WINDOW
    }
}

/// How long the attempt after the `failures`th failure waits.
fn delay(failures: u32) -> Duration {
    match failures.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        Some(extra) => Duration::from_secs(1u64 << extra.min(20)).min(WINDOW),
    }
}

/// The failed sign-ins this process has seen.
#[derive(Debug)]
pub struct SignInLimits {
    counts: Mutex<HashMap<Key, Count>>,
    /// How many usernames and addresses are remembered at most.
    capacity: usize,
}

impl Default for SignInLimits {
    fn default() -> SignInLimits {
        SignInLimits::with_capacity(MAX_ENTRIES)
    }
}

/// A sign-in under way, counted as failed until it succeeds.
#[derive(Debug)]
#[must_use]
pub(crate) struct Attempt {
    username: Key,
    address: Key,
    /// Which failure this attempt is, for the username and for the address.
    pub(crate) username_failures: u32,
    pub(crate) address_failures: u32,
}

impl Attempt {
    /// The failures worth a line in the audit chain: every [`FREE_FAILURES`]th for the
    /// username or the address.
    pub(crate) fn repeated(&self) -> bool {
        [self.username_failures, self.address_failures]
            .iter()
            .any(|n| *n > 0 && n % FREE_FAILURES == 0)
    }
}

impl SignInLimits {
    /// Limits that remember at most `capacity` usernames and addresses.
    pub fn with_capacity(capacity: usize) -> SignInLimits {
        SignInLimits {
            counts: Mutex::default(),
            capacity: capacity.max(2),
        }
    }

    /// Starts a sign-in for `username` from `address`, or says how long it must wait.
    pub(crate) fn begin(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let keys = [Key::username(username), Key::address(address)];
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let wait = keys
            .iter()
            .filter_map(|k| counts.get(k))
            .filter(|c| !c.forgotten(now))
            .map(|c| c.until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        if !wait.is_zero() {
            return Err(wait);
        }
        let new = keys.iter().filter(|k| !counts.contains_key(k)).count();
        if counts.len() + new > self.capacity {
            counts.retain(|_, c| !c.forgotten(now));
            while counts.len() + new > self.capacity {
                let Some(oldest) = counts
                    .iter()
                    .filter(|(k, _)| !keys.contains(k))
                    .min_by_key(|(_, c)| c.last)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                counts.remove(&oldest);
            }
        }
        let mut failures = [0; 2];
        for (key, n) in keys.iter().zip(&mut failures) {
            let count = counts.entry(key.clone()).or_insert(Count {
                failures: 0,
                last: now,
                until: now,
            });
            if count.forgotten(now) {
                count.failures = 0;
            }
            count.failures = count.failures.saturating_add(1);
            count.last = now;
            count.until = now + delay(count.failures);
            *n = count.failures;
        }
        let [username_failures, address_failures] = failures;
        let [username, address] = keys;
        Ok(Attempt {
            username,
            address,
            username_failures,
            address_failures,
        })
    }

    /// The attempt succeeded: the username's failures are forgotten, and the address's
    /// count is what it was before (a wait it had stands).
    pub(crate) fn succeeded(&self, attempt: Attempt, now: Instant) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.remove(&attempt.username);
        take_back(&mut counts, &attempt.address, now);
    }

    /// The attempt could not be checked (the store failed): it counts for neither.
    pub(crate) fn abandoned(&self, attempt: Attempt, now: Instant) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        take_back(&mut counts, &attempt.username, now);
        take_back(&mut counts, &attempt.address, now);
    }

    /// How many usernames and addresses are remembered.
    pub fn len(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One failure fewer for `key`; a wait it had stands unless it is now under the limit.
fn take_back(counts: &mut HashMap<Key, Count>, key: &Key, now: Instant) {
    if let Some(count) = counts.get_mut(key) {
        count.failures = count.failures.saturating_sub(1);
        if count.failures == 0 {
            counts.remove(key);
        } else if count.failures < FREE_FAILURES {
            count.until = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_wait_doubles_from_one_second_after_five_failures() {
        let limits = SignInLimits::default();
        let t0 = Instant::now();
        for n in 1..=5 {
            let a = limits.begin("hanna", ip("192.0.2.1"), t0).unwrap();
            assert_eq!(a.username_failures, n);
            assert_eq!(a.repeated(), n == 5);
        }
        assert_eq!(
            limits.begin("hanna", ip("192.0.2.1"), t0).unwrap_err(),
            Duration::from_secs(1)
        );
        let mut at = t0;
        for (n, wait) in [(6, 2), (7, 4), (8, 8), (9, 16)] {
            at += delay(n - 1);
            let a = limits.begin("hanna", ip("192.0.2.1"), at).unwrap();
            assert_eq!(a.username_failures, n);
            assert_eq!(
                limits.begin("hanna", ip("192.0.2.2"), at).unwrap_err(),
                Duration::from_secs(wait)
            );
        }
        // Fifteen quiet minutes forget it.
        at += WINDOW + Duration::from_secs(1);
        let a = limits.begin("hanna", ip("192.0.2.2"), at).unwrap();
        assert_eq!(a.username_failures, 1);
        assert_eq!(delay(40), WINDOW);
    }

    #[test]
    fn an_address_is_limited_across_usernames_and_a_success_forgives_only_the_username() {
        let limits = SignInLimits::default();
        let t0 = Instant::now();
        for n in 0..5 {
            let _ = limits
                .begin(&format!("user{n}"), ip("2001:db8::1"), t0)
                .unwrap();
        }
        // The same /64 is the same client.
        assert!(limits.begin("user9", ip("2001:db8::2"), t0).is_err());
        assert!(limits.begin("user9", ip("2001:db9::1"), t0).is_ok());

        let t1 = t0 + Duration::from_secs(1);
        let own = limits.begin("mine", ip("2001:db8::1"), t1).unwrap();
        assert_eq!(own.address_failures, 6);
        limits.succeeded(own, t1);
        // A success does not reset the address: its wait stands, and the next failure
        // from there is still the sixth.
        assert_eq!(
            limits.begin("user0", ip("2001:db8::1"), t1).unwrap_err(),
            Duration::from_secs(2)
        );
        let t2 = t1 + Duration::from_secs(2);
        let wrong = limits.begin("user0", ip("2001:db8::1"), t2).unwrap();
        assert_eq!(wrong.address_failures, 6);
        // The username that succeeded starts again from nothing.
        let mine = limits.begin("mine", ip("192.0.2.7"), t2).unwrap();
        assert_eq!(mine.username_failures, 1);
    }

    #[test]
    fn the_table_stays_bounded() {
        let limits = SignInLimits::with_capacity(100);
        let t0 = Instant::now();
        let long = "x".repeat(1_000);
        for n in 0..500u32 {
            let address = Some(IpAddr::from(n.to_be_bytes()));
            let _ = limits.begin(&format!("{n}-{long}"), address, t0);
        }
        assert_eq!(limits.len(), 100);
        // The newest are remembered: the last address is at its second failure.
        let again = limits.begin("499-x", Some(IpAddr::from(499u32.to_be_bytes())), t0);
        assert_eq!(again.unwrap().address_failures, 2);
        // A long username is remembered by its first bytes only.
        assert!(matches!(Key::username(&long), Key::Username(u) if u.len() == MAX_USERNAME));
        assert!(matches!(Key::username("ääää"), Key::Username(u) if u == "ääää"));
    }
}
