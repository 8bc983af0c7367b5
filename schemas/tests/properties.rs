//! Property tests: folding, tokens, citizen ids, numbers, dates and working-day arithmetic.

use chrono::{Datelike, NaiveDate};
use hoso_schemas::{
    CitizenId, FieldDef, FieldType, HolidayCalendar, Sex, canonical_number, fold, nfc, tokens,
};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

fn vietnamese_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[a-zA-Z0-9 ,.đĐăâêôơưĂÂÊÔƠƯáàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵ-]{0,40}",
    )
    .expect("regex")
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2100, 1u32..=366)
        .prop_filter_map("valid ordinal", |(y, o)| NaiveDate::from_yo_opt(y, o))
}

proptest! {
    #[test]
    fn fold_ignores_normal_form_and_is_idempotent(s in vietnamese_text()) {
        let nfd: String = s.nfd().collect();
        prop_assert_eq!(fold(&nfd), fold(&s));
        prop_assert_eq!(fold(&fold(&s)), fold(&s));
        prop_assert_eq!(nfc(&nfd), nfc(&s));
    }

    #[test]
    fn tokens_are_folded_unique_and_non_empty(s in vietnamese_text()) {
        let t = tokens(&s);
        for (i, tok) in t.iter().enumerate() {
            prop_assert!(!tok.is_empty());
            prop_assert_eq!(&fold(tok), tok);
            prop_assert!(tok.chars().all(char::is_alphanumeric));
            prop_assert!(!t[..i].contains(tok));
        }
    }

    #[test]
    fn citizen_id_encodes_birth(dob in date(), female in any::<bool>(), province in 1u32..100, rest in 0u32..1_000_000) {
        let sex = if female { Sex::Female } else { Sex::Male };
        let century_digit = (dob.year() / 100 - 19) * 2 + i32::from(female);
        let s = format!("{province:03}{century_digit}{:02}{rest:06}", dob.year() % 100);
        let id = CitizenId::parse(&s).expect("12 digits");
        prop_assert_eq!(id.birth_year(), dob.year());
        prop_assert_eq!(id.sex(), sex);
        prop_assert_eq!(id.check_birth(dob, Some(sex)), Ok(()));
        // Day 1 exists in every year, so 29 February cannot make the shifted date invalid.
        let first = dob.with_day(1).expect("day 1");
        let other = first.with_year(dob.year() + 1).or_else(|| first.with_year(dob.year() - 1)).expect("date");
        prop_assert!(id.check_birth(other, None).is_err());
    }

    #[test]
    fn any_twelve_digits_parse(s in "[0-9]{12}") {
        let id = CitizenId::parse(&s).expect("valid");
        prop_assert!((1900..2400).contains(&id.birth_year()));
        prop_assert_eq!(id.as_str(), s.as_str());
    }

    #[test]
    fn canonical_number_is_idempotent(s in "[+-]?[0-9]{0,6}(\\.[0-9]{0,4})?") {
        if let Some(c) = canonical_number(&s) {
            prop_assert_eq!(canonical_number(&c), Some(c.clone()));
            let f = FieldDef::new("n", "N", "N", FieldType::Number);
            prop_assert_eq!(f.validate(&s).ok(), Some(c));
        }
    }

    #[test]
    fn dates_round_trip(d in date()) {
        let f = FieldDef::new("d", "D", "D", FieldType::Date);
        let iso = d.format("%Y-%m-%d").to_string();
        prop_assert_eq!(f.validate(&iso), Ok(iso.clone()));
        prop_assert_eq!(f.validate(&d.format("%d/%m/%Y").to_string()), Ok(iso));
    }

    #[test]
    fn add_then_count_working_days(offset in 0u64..1200, n in 0u32..40) {
        let cal = HolidayCalendar::builtin().expect("holidays");
        let start = NaiveDate::from_ymd_opt(2024, 12, 1).expect("date") + chrono::Days::new(offset);
        let end = cal.add_working_days(start, n);
        prop_assert!(cal.is_working_day(end));
        if n == 0 {
            prop_assert!(end >= start);
            prop_assert_eq!(cal.working_days_between(start, end), i64::from(!cal.is_working_day(start) && end > start));
        } else {
            prop_assert!(end > start);
            prop_assert_eq!(cal.working_days_between(start, end), i64::from(n));
            prop_assert_eq!(cal.working_days_between(end, start), -i64::from(n));
        }
    }
}
