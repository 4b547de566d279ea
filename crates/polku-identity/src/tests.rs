//! Each kind of variation has a pair that must link and a hard negative that must not,
//! resolved among a few hundred other people so that EM has something to learn from.

use super::*;
use crate::record::{Nationality, Sex};

const GIVEN: [&str; 24] = [
    "Anna", "Olga", "Fatima", "Amina", "Maria", "Leila", "Hanna", "Sara", "Elena", "Mei", "Ali",
    "Omar", "Pekka", "Juha", "Dmitri", "Hassan", "Tesfaye", "Ivan", "Karim", "Lan", "Samir",
    "Nadia", "Yusuf", "Zainab",
];
const FAMILY: [&str; 24] = [
    "Virtanen",
    "Korhonen",
    "Hassan",
    "Ahmadi",
    "Ivanova",
    "Petrov",
    "Nguyen",
    "Tran",
    "Mohammed",
    "Bekele",
    "Haile",
    "Osman",
    "Karimi",
    "Rahimi",
    "Smirnov",
    "Kuznetsov",
    "Popescu",
    "Silva",
    "Santos",
    "Kowalski",
    "Nowak",
    "Yilmaz",
    "Demir",
    "Sahin",
];
const NATIONS: [&str; 6] = ["SYR", "IRQ", "AFG", "RUS", "SOM", "ETH"];

fn rec(id: &str, given: &str, family: &str, dob: &str, nat: &str, doc: &str) -> IdentityRecord {
    IdentityRecord {
        record_id: id.to_owned(),
        source: "test".to_owned(),
        given_names: given.to_owned(),
        family_name: family.to_owned(),
        name_native: None,
        date_of_birth: dob.parse().unwrap(),
        sex: Sex::Unknown,
        nationality: nat.parse().unwrap_or(Nationality::UNKNOWN),
        document_type: None,
        document_number: (!doc.is_empty()).then(|| doc.to_owned()),
        place_of_birth: None,
    }
}

/// A crowd of people, most with two records each (one a little noisy), as background.
fn crowd() -> Vec<IdentityRecord> {
    let mut rng = fastrand::Rng::with_seed(11);
    let mut out = Vec::new();
    for i in 0..600 {
        let given = GIVEN[rng.usize(..GIVEN.len())];
        let family = FAMILY[rng.usize(..FAMILY.len())];
        let dob = format!(
            "{}-{:02}-{:02}",
            rng.u16(1950..2008),
            rng.u8(1..13),
            rng.u8(1..29)
        );
        let nat = NATIONS[rng.usize(..NATIONS.len())];
        let doc = format!("P{:08}", rng.u32(..100_000_000));
        out.push(rec(&format!("c{i}a"), given, family, &dob, nat, &doc));
        if rng.bool() {
            // The same person elsewhere: the names swapped or a letter dropped, no document.
            let noisy_family = if rng.bool() {
                family.to_owned()
            } else {
                family[..family.len() - 1].to_owned()
            };
            out.push(rec(&format!("c{i}b"), &noisy_family, given, &dob, nat, ""));
        }
    }
    out
}

struct Case {
    name: &'static str,
    a: IdentityRecord,
    b: IdentityRecord,
    same: bool,
}

fn cases() -> Vec<Case> {
    let native = |mut r: IdentityRecord, n: &str| {
        r.name_native = Some(n.to_owned());
        r
    };
    let mut out = vec![
        Case {
            name: "Cyrillic and its romanisation",
            a: native(rec("cy1", "", "", "1988-02-14", "RUS", ""), "Юрий Гагарин"),
            b: rec("cy2", "Yuriy", "Gagarin", "1988-02-14", "RUS", ""),
            same: true,
        },
        Case {
            name: "two romanisations of one Cyrillic name",
            a: rec("cz1", "Iurii", "Gagarin", "1988-02-14", "RUS", ""),
            b: rec("cz2", "Jurij", "Gagarin", "1988-02-14", "RUS", ""),
            same: true,
        },
        Case {
            name: "the Arabic article and abd",
            a: rec("ar1", "Abd al-Rahman", "Haddad", "1979-07-01", "SYR", ""),
            b: rec("ar2", "Abdulrahman", "Haddad", "1979-07-01", "SYR", ""),
            same: true,
        },
        Case {
            name: "a nasab chain",
            a: rec(
                "na1",
                "Ahmed bin Khalid",
                "al-Amri",
                "1991-03-09",
                "IRQ",
                "",
            ),
            b: rec("na2", "Ahmed", "Khalid Amri", "1991-03-09", "IRQ", ""),
            same: true,
        },
        Case {
            name: "given and family names swapped",
            a: rec("sw1", "Mulugeta", "Gebremariam", "1985-11-30", "ETH", ""),
            b: rec("sw2", "Gebremariam", "Mulugeta", "1985-11-30", "ETH", ""),
            same: true,
        },
        Case {
            name: "only the year of birth known",
            a: rec("py1", "Abdiwali", "Warsame", "1996-00-00", "SOM", ""),
            b: rec("py2", "Abdiwali", "Warsame", "1996-08-17", "SOM", ""),
            same: true,
        },
        Case {
            name: "day and month swapped",
            a: rec("dm1", "Farhad", "Noorzai", "1993-04-07", "AFG", ""),
            b: rec("dm2", "Farhad", "Noorzai", "1993-07-04", "AFG", ""),
            same: true,
        },
        Case {
            name: "a document number with O for 0",
            a: rec("do1", "Samira", "Qasemi", "1990-10-10", "AFG", "AB0123456"),
            b: rec("do2", "Samira", "Kasemi", "1990-10-10", "", "ABO123456"),
            same: true,
        },
        Case {
            name: "Vietnamese with and without diacritics",
            a: rec("vi1", "Thị Lan", "Nguyễn", "1999-01-21", "VNM", ""),
            b: rec("vi2", "Thi Lan", "Nguyen", "1999-01-21", "VNM", ""),
            same: true,
        },
        Case {
            name: "a spelling variant",
            a: rec("sp1", "Mohammed", "Khaled Osman", "1982-06-02", "SDN", ""),
            b: rec("sp2", "Muhammad", "Khalid Othman", "1982-06-02", "SDN", ""),
            same: true,
        },
        Case {
            name: "Ge'ez script and its romanisation",
            a: native(rec("ge1", "", "", "1994-09-11", "ERI", ""), "ተስፋዬ በቀለ"),
            b: rec("ge2", "Tesfaye", "Bekele", "1994-09-11", "ERI", ""),
            same: true,
        },
        Case {
            name: "a Chinese name in Han characters and in pinyin",
            a: native(rec("zh1", "", "", "1987-12-03", "CHN", ""), "王小明"),
            b: rec("zh2", "Xiaoming", "Wang", "1987-12-03", "CHN", ""),
            same: true,
        },
        Case {
            name: "a Thai name in Thai script and in Latin letters",
            a: native(rec("th1", "", "", "1990-05-16", "THA", ""), "สมชาย ใจดี"),
            b: rec("th2", "Somchai", "Jaidee", "1990-05-16", "THA", ""),
            same: true,
        },
    ];
    // Each kind's hard negative: the same variation between two different people — a
    // namesake born another day, a father and son whose nasab chains hold the same words,
    // brothers or cousins whose dates are near or swapped, a passport one slip away.
    let negative = |name: &'static str, a: IdentityRecord, b: IdentityRecord| Case {
        name,
        a,
        b,
        same: false,
    };
    out.extend([
        negative(
            "Cyrillic and its romanisation: a namesake",
            native(rec("ncy1", "", "", "1988-02-14", "RUS", ""), "Юрий Гагарин"),
            rec("ncy2", "Yuriy", "Gagarin", "1971-09-02", "RUS", ""),
        ),
        negative(
            "two romanisations: a namesake",
            rec("ncz1", "Iurii", "Gagarin", "1988-02-14", "RUS", ""),
            rec("ncz2", "Jurij", "Gagarin", "1968-12-04", "RUS", ""),
        ),
        negative(
            "the Arabic article: a namesake",
            rec("nar1", "Abd al-Rahman", "Haddad", "1979-07-01", "SYR", ""),
            rec("nar2", "Abdulrahman", "Haddad", "1962-03-15", "SYR", ""),
        ),
        negative(
            "a nasab chain: father and son",
            rec(
                "nna1",
                "Ahmed bin Khalid",
                "al-Amri",
                "1991-03-09",
                "IRQ",
                "",
            ),
            rec(
                "nna2",
                "Khalid bin Ahmed",
                "al-Amri",
                "1966-10-20",
                "IRQ",
                "",
            ),
        ),
        negative(
            "names swapped: a son named after the father's father",
            rec("nsw1", "Mulugeta", "Gebremariam", "1985-11-30", "ETH", ""),
            rec("nsw2", "Gebremariam", "Mulugeta", "1958-02-03", "ETH", ""),
        ),
        negative(
            "only the year known: a brother born that year",
            rec("npy1", "Abdiwali", "Warsame", "1996-00-00", "SOM", ""),
            rec("npy2", "Abdiqani", "Warsame", "1996-08-17", "SOM", ""),
        ),
        negative(
            "day and month swapped: a cousin",
            rec("ndm1", "Farhad", "Noorzai", "1993-04-07", "AFG", ""),
            rec("ndm2", "Bahram", "Noorzai", "1993-07-04", "AFG", ""),
        ),
        negative(
            "a passport one slip away with O for 0: a relative",
            rec("ndo1", "Samira", "Qasemi", "1990-10-10", "AFG", "AB0123456"),
            rec("ndo2", "Sima", "Qasemi", "1987-05-19", "AFG", "ABO123457"),
        ),
        negative(
            "Vietnamese without diacritics: a namesake",
            rec("nvi1", "Thị Lan", "Nguyễn", "1999-01-21", "VNM", ""),
            rec("nvi2", "Thi Lan", "Nguyen", "1979-11-02", "VNM", ""),
        ),
        negative(
            "a spelling variant: a namesake",
            rec("nsp1", "Mohammed", "Khaled Osman", "1982-06-02", "SDN", ""),
            rec("nsp2", "Muhammad", "Khalid Othman", "1964-12-25", "SDN", ""),
        ),
        negative(
            "Ge'ez script: a namesake",
            native(rec("nge1", "", "", "1994-09-11", "ERI", ""), "ተስፋዬ በቀለ"),
            rec("nge2", "Tesfaye", "Bekele", "1972-04-30", "ERI", ""),
        ),
        negative(
            "Han characters: a namesake",
            native(rec("nzh1", "", "", "1987-12-03", "CHN", ""), "王小明"),
            rec("nzh2", "Xiaoming", "Wang", "1965-08-19", "CHN", ""),
        ),
        negative(
            "Thai script: a namesake",
            native(rec("nth1", "", "", "1990-05-16", "THA", ""), "สมชาย ใจดี"),
            rec("nth2", "Somchai", "Jaidee", "1958-01-27", "THA", ""),
        ),
    ]);
    // Hard negatives: siblings (same family name, same parents' records) and namesakes.
    out.extend([
        Case {
            name: "twins: same family and date, other given names",
            a: rec(
                "tw1",
                "Hussein",
                "Barzani",
                "2001-05-05",
                "IRQ",
                "N11111111",
            ),
            b: rec("tw2", "Hassan", "Barzani", "2001-05-05", "IRQ", "N22222222"),
            same: false,
        },
        Case {
            name: "namesakes: a common name, other dates and countries",
            a: rec("ns1", "Mohammed", "Ali", "1970-01-01", "SOM", ""),
            b: rec("ns2", "Mohammed", "Ali", "1988-09-23", "IRQ", ""),
            same: false,
        },
        Case {
            name: "siblings born a year apart",
            a: rec("sb1", "Leyla", "Hosseini", "1995-03-12", "AFG", ""),
            b: rec("sb2", "Layla", "Hosseini", "1996-09-30", "AFG", ""),
            same: false,
        },
    ]);
    out
}

#[test]
fn every_kind_of_variation_links_and_hard_negatives_do_not() {
    let mut records = crowd();
    let cases = cases();
    for c in &cases {
        records.push(c.a.clone());
        records.push(c.b.clone());
    }
    let table = Table::of_identity_records(&records);
    let options = Options::default();
    let resolution = resolve(&table, &options, &mut |_, _, _| {});
    let index = |id: &str| table.ids.iter().position(|i| i == id).unwrap() as u32;
    let mut wrong = Vec::new();
    for c in &cases {
        let (a, b) = (index(&c.a.record_id), index(&c.b.record_id));
        let linked = resolution.clusters[a as usize] == resolution.clusters[b as usize];
        if linked != c.same {
            let e = resolution.explain(&table, a.min(b), a.max(b));
            wrong.push(format!("{}: linked {linked}, {e:#?}", c.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_link_explains_itself_field_by_field() {
    let mut records = crowd();
    records.push(rec(
        "x1",
        "Iurii",
        "Gagarin",
        "1988-02-14",
        "RUS",
        "AB0123456",
    ));
    records.push(rec(
        "x2",
        "Gagarin",
        "Jurij",
        "1988-02-14",
        "RUS",
        "ABO123456",
    ));
    let table = Table::of_identity_records(&records);
    let r = resolve(&table, &Options::default(), &mut |_, _, _| {});
    let (a, b) = (table.len() as u32 - 2, table.len() as u32 - 1);
    let e = r.explain(&table, a, b);
    let field = |name: &str| e.fields.iter().find(|f| f.field == name).unwrap();
    assert_eq!(field("name").level, Some(Level::NamesAlike));
    assert!(field("name").weight > 0.0);
    assert_eq!(field("date_of_birth").level, Some(Level::SameDate));
    assert_eq!(field("document_number").level, Some(Level::Same));
    assert_eq!(field("sex").level, None, "unknown on both: no evidence");
    assert_eq!(field("sex").weight, 0.0);
    let sum: f64 = e.prior + e.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!((sum - e.weight).abs() < 1e-9, "{e:?}");
    assert!(e.probability > 0.99, "{e:?}");
}

#[test]
fn a_common_name_weighs_less_than_a_rare_one() {
    let mut records = crowd();
    // "Mohammed Ali" many times over, each a different person.
    for i in 0..40 {
        records.push(rec(
            &format!("m{i}"),
            "Mohammed",
            "Ali",
            &format!("19{:02}-01-01", 50 + i),
            "",
            "",
        ));
    }
    records.push(rec(
        "rare1",
        "Zerihun",
        "Woldemichael",
        "1975-05-05",
        "",
        "",
    ));
    records.push(rec(
        "rare2",
        "Zerihun",
        "Woldemichael",
        "1975-05-05",
        "",
        "",
    ));
    records.push(rec("common1", "Mohammed", "Ali", "1975-05-05", "", ""));
    records.push(rec("common2", "Mohammed", "Ali", "1975-05-05", "", ""));
    let table = Table::of_identity_records(&records);
    let r = resolve(&table, &Options::default(), &mut |_, _, _| {});
    let index = |id: &str| table.ids.iter().position(|i| i == id).unwrap() as u32;
    let rare = r.explain(&table, index("rare1"), index("rare2"));
    let common = r.explain(&table, index("common1"), index("common2"));
    assert!(
        rare.fields[0].weight > common.fields[0].weight + 1.0,
        "rare {rare:?} common {common:?}"
    );
}

#[test]
fn blocking_finds_swapped_and_romanised_names() {
    let records = vec![
        rec("a", "Yuriy", "Gagarin", "1988-02-14", "", ""),
        rec("b", "Gagarin", "Iurii", "1989-02-14", "", ""),
        rec("c", "Anna", "Virtanen", "1988-02-14", "", ""),
    ];
    let table = Table::of_identity_records(&records);
    let pairs = table.candidates(200);
    assert!(pairs.contains(&(0, 1)), "{pairs:?}");
}

#[test]
fn csv_of_any_columns_reads_with_its_field_kinds() {
    let csv = "rec_id,given_name,surname,date_of_birth,soc_sec_id\n\
               r1,michaela,neumann,19151111,5304218\n\
               r2,michaela,neumann,19151111,5304218\n";
    let fields = vec![
        FieldSpec {
            name: "given_name".into(),
            kind: Kind::Name,
        },
        FieldSpec {
            name: "surname".into(),
            kind: Kind::Name,
        },
        FieldSpec {
            name: "date_of_birth".into(),
            kind: Kind::Date,
        },
        FieldSpec {
            name: "soc_sec_id".into(),
            kind: Kind::Code,
        },
    ];
    let table = Table::from_csv(csv.as_bytes(), "rec_id", fields.clone()).unwrap();
    assert_eq!(table.len(), 2);
    assert_eq!(table.compare(0, 1), vec![0, 0, 0, 0]);
    let missing = Table::from_csv(csv.as_bytes(), "id", fields);
    assert!(missing.unwrap_err().to_string().contains("no column `id`"));
}

#[test]
fn one_record_at_a_time_finds_what_a_batch_run_finds() {
    let records = crowd();
    let (first, rest) = records.split_at(records.len() / 2);
    let options = Options::default();
    let all = Table::of_identity_records(&records);
    let batch = resolve(&all, &options, &mut |_, _, _| {});
    // The matcher starts from the first half with the batch's model, then takes the rest
    // one by one.
    let mut matcher = index::Matcher::with_model(
        Table::of_identity_records(first),
        batch.model.clone(),
        records.len(),
        options.max_block,
    );
    assert!(index::Matcher::fits(&all, matcher.model()));
    for r in rest {
        matcher.add(r.record_id.clone(), identity_row(r));
    }
    let linked_in_batch: Vec<(u32, u32)> = batch
        .pairs
        .iter()
        .filter(|p| p.probability >= 0.9)
        .map(|p| (p.left, p.right))
        .collect();
    assert!(linked_in_batch.len() > 100, "{}", linked_in_batch.len());
    for (l, r) in linked_in_batch {
        let found = matcher.matches_of(r, 0.5);
        let m = found.iter().find(|m| m.record == l);
        assert!(
            m.is_some(),
            "{} and {} not found one by one",
            all.ids[l as usize],
            all.ids[r as usize]
        );
        // Scored alike (the term frequencies are the same once all are in).
        let batch_weight = batch
            .pairs
            .iter()
            .find(|p| (p.left, p.right) == (l, r))
            .unwrap()
            .weight;
        assert!((m.unwrap().weight - batch_weight).abs() < 1e-9);
        assert_eq!(matcher.explain(l, r).weight, m.unwrap().weight);
    }
}

#[test]
fn a_register_larger_than_its_training_set_asks_for_more_evidence() {
    let records = crowd();
    let options = Options::default();
    let all = Table::of_identity_records(&records);
    let trained = resolve(&all, &options, &mut |_, _, _| {}).model;
    let (first, rest) = records.split_at(records.len() / 4);
    // Trained on a quarter of the records' size: no scaling until the matcher holds more.
    let mut matcher = index::Matcher::with_model(
        Table::of_identity_records(first),
        trained.clone(),
        first.len(),
        options.max_block,
    );
    assert_eq!(matcher.model().lambda, trained.lambda);
    let pair = (0, 1);
    let before = matcher.explain(pair.0, pair.1);
    for r in rest {
        matcher.add(r.record_id.clone(), identity_row(r));
    }
    // Four times the records: the prior is about two bits lower, in every pair's
    // explanation too.
    let scaled = matcher.model().prior_weight();
    let drop = trained.prior_weight() - scaled;
    assert!((drop - 2.0).abs() < 0.1, "{drop}");
    let after = matcher.explain(pair.0, pair.1);
    assert!((after.prior - before.prior + drop).abs() < 1e-9);

    // A register smaller than the training set is never more generous than training.
    let small = index::Matcher::with_model(
        Table::of_identity_records(first),
        trained.clone(),
        records.len() * 10,
        options.max_block,
    );
    assert_eq!(small.model().lambda, trained.lambda);
}
