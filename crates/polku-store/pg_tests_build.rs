//! Marks whether the PostgreSQL twins of the database tests can run: they are built
//! `#[ignore]`d unless `POLKU_TEST_DATABASE_URL` is set when the tests are built, so a run
//! without PostgreSQL reports them as ignored instead of counting them as passed.
//! Every crate whose tests run on both databases uses this file as its build script
//! (`build = "../polku-store/pg_tests_build.rs"`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(polku_pg_tests)");
    println!("cargo::rerun-if-env-changed=POLKU_TEST_DATABASE_URL");
    if std::env::var_os("POLKU_TEST_DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=polku_pg_tests");
    }
}
