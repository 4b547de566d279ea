//! Who may sign in and who a request is from: officials sign in with a password stored as
//! an Argon2 hash, and API tokens identify a user and their role, organisation or person,
//! are stored only as hashes and can be revoked.

use polku_access::{AccessError, Role};
use polku_store::testing::TestDb;

async fn officials_sign_in_with_a_password_stored_as_argon2(db: &TestDb) {
    let hanna = access(db)
        .add_user(
            "Hanna",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        access(db).set_password(hanna, "hanna", "short").await,
        Err(AccessError::WeakPassword)
    ));
    access(db)
        .set_password(hanna, "hanna", "correct horse battery")
        .await
        .unwrap();
    assert_eq!(
        access(db)
            .check_password("hanna", "correct horse battery")
            .await
            .unwrap(),
        Some(hanna)
    );
    assert_eq!(
        access(db)
            .check_password("hanna", "wrong horse battery")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        access(db)
            .check_password("nobody", "correct horse battery")
            .await
            .unwrap(),
        None
    );
    let ville = access(db)
        .add_user(
            "Ville",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        access(db)
            .set_password(ville, "hanna", "another long password")
            .await,
        Err(AccessError::UsernameTaken(_))
    ));
}
polku_store::on_every_database!(
    passwords,
    officials_sign_in_with_a_password_stored_as_argon2
);

async fn tokens_identify_users_and_are_stored_hashed(db: &TestDb) {
    let handler = access(db)
        .add_user(
            "Hanna Handler",
            Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let token = access(db).create_token(handler, "laptop").await.unwrap();
    assert!(
        token.starts_with("polku_") && token.len() == 6 + 64,
        "{token}"
    );
    let p = access(db).principal(&token).await.unwrap().unwrap();
    assert_eq!(
        (p.role, p.organisation.as_deref(), p.user_id),
        (Role::CaseHandler, Some("Maahanmuuttovirasto"), handler)
    );
    assert_eq!(access(db).principal("polku_0000").await.unwrap(), None);
    assert!(access(db).revoke_token(&token).await.unwrap());
    assert_eq!(access(db).principal(&token).await.unwrap(), None, "revoked");
    assert!(matches!(
        access(db).add_user("x", Role::Auditor, None, None).await,
        Err(AccessError::OrganisationRequired(Role::Auditor))
    ));
    assert!(matches!(
        access(db).add_user("x", Role::Applicant, None, None).await,
        Err(AccessError::PersonRequired)
    ));
    let applicant = access(db)
        .add_user("Aino", Role::Applicant, None, Some("person-1"))
        .await
        .unwrap();
    let t = access(db).create_token(applicant, "phone").await.unwrap();
    assert_eq!(
        access(db)
            .principal(&t)
            .await
            .unwrap()
            .unwrap()
            .person_id
            .as_deref(),
        Some("person-1")
    );
    // The database holds no token in the clear.
    db.raw(&format!("DELETE FROM api_tokens WHERE token_hash = '{t}'"))
        .await;
    assert!(access(db).principal(&t).await.unwrap().is_some());
}
polku_store::on_every_database!(tokens, tokens_identify_users_and_are_stored_hashed);

/// The access handle on the test's database.
fn access(db: &TestDb) -> polku_access::Access {
    polku_access::Access::new(db.db.clone())
}
