//! The pages as a browser meets them: every page in three languages, sign-in through the
//! test identity provider, CSRF on every form, who may see what, and the rectification
//! request from the decision page. One test binary (each is linked on its own), a module
//! for each part of the site.

mod access;
mod applicant;
mod audit;
mod contact;
mod dashboard;
mod i18n;
mod identity;
mod inspect;
mod liaison;
mod monitoring;
mod officials;
mod payments;
mod requests;
mod rule_admin;
mod rules;
mod security;
mod support;
mod typed_text;
mod words;
