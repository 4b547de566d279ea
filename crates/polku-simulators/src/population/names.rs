//! Name pools for the synthetic population.
//!
//! Every person the generator invents is a random combination of the given
//! names and family names listed here. The lists are common names of each
//! language, chosen and written by the Polku project from general knowledge
//! of those languages; they are facts of language, not data about anyone,
//! and no list was copied from another source. Each name is given in its
//! native script together with the romanisations that real registers
//! contain: the official or passport form first, then the forms produced by
//! other transliteration schemes (German, French, Finnish, Wade–Giles,
//! Hong Kong Cantonese...), by clerks writing what they hear, by passports
//! of other countries and by dropped diacritics. Identity resolution is meant
//! to meet these variants.
//!
//! The origin weights are rough approximations of the mix of nationalities in
//! Finland's recent residence-permit and citizenship flow. They are not
//! statistics and should not be read or cited as such.

/// The writing system of a name's native form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
    Thai,
    Devanagari,
    Bengali,
}

/// One name as its language writes it, and the ways registers have romanised it.
#[derive(Debug)]
pub struct Name {
    /// The name in its native script. For Latin-script languages this is the
    /// spelling with its diacritics ("Nguyễn", "Yılmaz"); for Somali it is the
    /// Somali orthography ("Maxamed"). "Ševčenko" is a romanisation of
    /// Cyrillic "Шевченко", so that name is Cyrillic-native.
    pub native: &'static str,
    /// Romanisations real registers hold, most common first; at least 2. The
    /// first is the standard or official one (for Russian and Ukrainian the
    /// current passport transliteration); the others are variants by other
    /// transliteration schemes, clerks, passports of other countries, dropped
    /// diacritics. For Latin-script names the first is the form with
    /// diacritics and a later one is the ASCII form without them if it
    /// differs. Somali is the exception: registers overwhelmingly hold the
    /// passport form ("Mohamed"), so that comes first and the Somali
    /// orthography ("Maxamed") second.
    pub romanised: &'static [&'static str],
}

/// Where a person's names come from.
#[derive(Debug)]
pub struct Origin {
    /// Short code, e.g. "ru", "uk", "ar-iq", "fa-af", "so", "vi", "zh", "th", "hi"...
    pub code: &'static str,
    /// ISO 3166-1 alpha-3 nationalities drawn for people of this origin, most common first.
    pub nationalities: &'static [&'static str],
    pub script: Script,
    /// Whether the family name comes first in the native order (Chinese, Vietnamese, Hungarian...).
    pub family_name_first: bool,
    /// Relative share of this origin among applicants (weights; they need not
    /// sum to anything). Approximations only.
    pub weight: u32,
    pub given_male: &'static [Name],
    pub given_female: &'static [Name],
    pub family: &'static [Name],
}

/// The origins the generator draws from, with their name pools.
pub static ORIGINS: &[Origin] = &[
    // ------------------------------------------------------------------
    // Russian. First romanisation: the ICAO transliteration used in Russian
    // passports since 2013 (й → i, ий → ii, я → ia, ю → iu, ь dropped);
    // then English-style, Finnish (SFS 4900), German and French forms.
    // ------------------------------------------------------------------
    Origin {
        code: "ru",
        nationalities: &["RUS"],
        script: Script::Cyrillic,
        family_name_first: false,
        weight: 14,
        given_male: &[
            Name {
                native: "Александр",
                romanised: &["Aleksandr", "Alexander", "Alexandr", "Aleksander"],
            },
            Name {
                native: "Сергей",
                romanised: &["Sergei", "Sergey", "Serguei", "Sergej"],
            },
            Name {
                native: "Дмитрий",
                romanised: &["Dmitrii", "Dmitriy", "Dmitry", "Dmitri", "Dmitrij"],
            },
            Name {
                native: "Андрей",
                romanised: &["Andrei", "Andrey", "Andrej"],
            },
            Name {
                native: "Алексей",
                romanised: &["Aleksei", "Alexey", "Aleksey", "Alexei", "Aleksej"],
            },
            Name {
                native: "Владимир",
                romanised: &["Vladimir", "Wladimir"],
            },
            Name {
                native: "Михаил",
                romanised: &["Mikhail", "Mihail", "Michail", "Mikhael"],
            },
            Name {
                native: "Иван",
                romanised: &["Ivan", "Iwan"],
            },
            Name {
                native: "Николай",
                romanised: &["Nikolai", "Nikolay", "Nikolaj", "Nicolai"],
            },
            Name {
                native: "Евгений",
                romanised: &["Evgenii", "Evgeny", "Yevgeny", "Jevgeni", "Evgeniy"],
            },
        ],
        given_female: &[
            Name {
                native: "Елена",
                romanised: &["Elena", "Yelena", "Jelena"],
            },
            Name {
                native: "Ольга",
                romanised: &["Olga", "Ol'ga"],
            },
            Name {
                native: "Наталья",
                romanised: &["Natalia", "Natalya", "Natalja", "Nataliya"],
            },
            Name {
                native: "Татьяна",
                romanised: &["Tatiana", "Tatyana", "Tatjana"],
            },
            Name {
                native: "Мария",
                romanised: &["Mariia", "Maria", "Mariya", "Marija"],
            },
            Name {
                native: "Юлия",
                romanised: &["Iuliia", "Yulia", "Yuliya", "Julija", "Julia"],
            },
            Name {
                native: "Екатерина",
                romanised: &["Ekaterina", "Yekaterina", "Jekaterina"],
            },
            Name {
                native: "Светлана",
                romanised: &["Svetlana", "Swetlana"],
            },
            Name {
                native: "Ксения",
                romanised: &["Kseniia", "Ksenia", "Kseniya", "Ksenija", "Xenia"],
            },
            Name {
                native: "Анастасия",
                romanised: &["Anastasiia", "Anastasia", "Anastasiya", "Anastasija"],
            },
        ],
        family: &[
            Name {
                native: "Иванов",
                romanised: &["Ivanov", "Iwanow", "Ivanoff"],
            },
            Name {
                native: "Смирнов",
                romanised: &["Smirnov", "Smirnow", "Smirnoff"],
            },
            Name {
                native: "Кузнецов",
                romanised: &["Kuznetsov", "Kuznecov", "Kusnezow", "Kouznetsov"],
            },
            Name {
                native: "Попов",
                romanised: &["Popov", "Popow", "Popoff"],
            },
            Name {
                native: "Васильев",
                romanised: &["Vasilev", "Vasiliev", "Vasilyev", "Vasiljev", "Wassiljew"],
            },
            Name {
                native: "Петров",
                romanised: &["Petrov", "Petrow", "Petroff"],
            },
            Name {
                native: "Соколов",
                romanised: &["Sokolov", "Sokolow"],
            },
            Name {
                native: "Михайлов",
                romanised: &["Mikhailov", "Mikhaylov", "Mihailov", "Michailow"],
            },
            Name {
                native: "Новиков",
                romanised: &["Novikov", "Nowikow"],
            },
            Name {
                native: "Фёдоров",
                romanised: &["Fedorov", "Fyodorov", "Fjodorov", "Fiodorov"],
            },
            Name {
                native: "Морозов",
                romanised: &["Morozov", "Morosow", "Morozoff"],
            },
            Name {
                native: "Волков",
                romanised: &["Volkov", "Wolkow", "Volkoff"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Ukrainian, in Ukrainian spelling. First romanisation: the official
    // Ukrainian passport transliteration (2010); then older forms, forms
    // taken from the Russian equivalent in Soviet-era documents, and
    // German, French and Czech-style forms.
    // ------------------------------------------------------------------
    Origin {
        code: "uk",
        nationalities: &["UKR"],
        script: Script::Cyrillic,
        family_name_first: false,
        weight: 14,
        given_male: &[
            Name {
                native: "Олександр",
                romanised: &["Oleksandr", "Aleksandr", "Oleksander", "Alexander"],
            },
            Name {
                native: "Андрій",
                romanised: &["Andrii", "Andriy", "Andrij", "Andrey"],
            },
            Name {
                native: "Сергій",
                romanised: &["Serhii", "Serhiy", "Sergii", "Sergiy", "Sergey"],
            },
            Name {
                native: "Дмитро",
                romanised: &["Dmytro", "Dmitro", "Dmitriy"],
            },
            Name {
                native: "Володимир",
                romanised: &["Volodymyr", "Volodimir", "Wolodymyr", "Vladimir"],
            },
            Name {
                native: "Микола",
                romanised: &["Mykola", "Mikola", "Nikolai"],
            },
            Name {
                native: "Юрій",
                romanised: &["Yurii", "Yuriy", "Iurii", "Jurij", "Yuri"],
            },
            Name {
                native: "Олег",
                romanised: &["Oleh", "Oleg"],
            },
            Name {
                native: "Максим",
                romanised: &["Maksym", "Maksim", "Maxim"],
            },
            Name {
                native: "Віталій",
                romanised: &["Vitalii", "Vitaliy", "Vitalij", "Vitaly"],
            },
        ],
        given_female: &[
            Name {
                native: "Олена",
                romanised: &["Olena", "Elena"],
            },
            Name {
                native: "Наталія",
                romanised: &["Nataliia", "Natalia", "Nataliya", "Natalija"],
            },
            Name {
                native: "Тетяна",
                romanised: &["Tetiana", "Tetyana", "Tatiana", "Tetjana"],
            },
            Name {
                native: "Оксана",
                romanised: &["Oksana", "Oxana"],
            },
            Name {
                native: "Ірина",
                romanised: &["Iryna", "Irina"],
            },
            Name {
                native: "Юлія",
                romanised: &["Yuliia", "Yulia", "Iuliia", "Yuliya", "Julija"],
            },
            Name {
                native: "Світлана",
                romanised: &["Svitlana", "Svetlana", "Switlana"],
            },
            Name {
                native: "Людмила",
                romanised: &["Liudmyla", "Lyudmyla", "Ludmila", "Ljudmyla", "Lyudmila"],
            },
            Name {
                native: "Анастасія",
                romanised: &["Anastasiia", "Anastasia", "Anastasiya"],
            },
            Name {
                native: "Вікторія",
                romanised: &["Viktoriia", "Viktoria", "Viktoriya", "Victoria"],
            },
        ],
        family: &[
            Name {
                native: "Шевченко",
                romanised: &["Shevchenko", "Ševčenko", "Schewtschenko", "Chevtchenko"],
            },
            Name {
                native: "Коваленко",
                romanised: &["Kovalenko", "Kowalenko"],
            },
            Name {
                native: "Бондаренко",
                romanised: &["Bondarenko", "Bondarenco"],
            },
            Name {
                native: "Ткаченко",
                romanised: &["Tkachenko", "Tkačenko", "Tkatschenko", "Tkatchenko"],
            },
            Name {
                native: "Кравченко",
                romanised: &["Kravchenko", "Kravčenko", "Krawtschenko", "Kravtchenko"],
            },
            Name {
                native: "Бойко",
                romanised: &["Boiko", "Boyko", "Bojko"],
            },
            Name {
                native: "Коваль",
                romanised: &["Koval", "Kowal", "Koval'"],
            },
            Name {
                native: "Олійник",
                romanised: &["Oliinyk", "Oliynyk", "Olijnyk", "Oleinik"],
            },
            Name {
                native: "Мельник",
                romanised: &["Melnyk", "Melnik", "Mel'nyk"],
            },
            Name {
                native: "Шевчук",
                romanised: &["Shevchuk", "Ševčuk", "Schewtschuk", "Chevtchouk"],
            },
            Name {
                native: "Поліщук",
                romanised: &["Polishchuk", "Poliščuk", "Polischtschuk", "Polichtchouk"],
            },
            Name {
                native: "Лисенко",
                romanised: &["Lysenko", "Lisenko", "Lyssenko"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Estonian. Variants: dropped diacritics, German-style ä/ö/ü → ae/oe/ue,
    // and doubled letters simplified by clerks who do not know Estonian.
    // ------------------------------------------------------------------
    Origin {
        code: "et",
        nationalities: &["EST"],
        script: Script::Latin,
        family_name_first: false,
        weight: 5,
        given_male: &[
            Name {
                native: "Jüri",
                romanised: &["Jüri", "Juri", "Jueri"],
            },
            Name {
                native: "Tõnu",
                romanised: &["Tõnu", "Tonu"],
            },
            Name {
                native: "Tõnis",
                romanised: &["Tõnis", "Tonis"],
            },
            Name {
                native: "Märt",
                romanised: &["Märt", "Mart", "Maert"],
            },
            Name {
                native: "Jaan",
                romanised: &["Jaan", "Jan"],
            },
            Name {
                native: "Toomas",
                romanised: &["Toomas", "Tomas"],
            },
            Name {
                native: "Kristjan",
                romanised: &["Kristjan", "Kristian"],
            },
            Name {
                native: "Aleksander",
                romanised: &["Aleksander", "Alexander"],
            },
            Name {
                native: "Peeter",
                romanised: &["Peeter", "Peter"],
            },
            Name {
                native: "Ülo",
                romanised: &["Ülo", "Ulo", "Uelo"],
            },
        ],
        given_female: &[
            Name {
                native: "Tiina",
                romanised: &["Tiina", "Tina"],
            },
            Name {
                native: "Maarja",
                romanised: &["Maarja", "Marja"],
            },
            Name {
                native: "Kristiina",
                romanised: &["Kristiina", "Kristina"],
            },
            Name {
                native: "Kätlin",
                romanised: &["Kätlin", "Katlin", "Kaetlin"],
            },
            Name {
                native: "Külli",
                romanised: &["Külli", "Kulli", "Kuelli"],
            },
            Name {
                native: "Ülle",
                romanised: &["Ülle", "Ulle", "Uelle"],
            },
            Name {
                native: "Kärt",
                romanised: &["Kärt", "Kart", "Kaert"],
            },
            Name {
                native: "Mari-Liis",
                romanised: &["Mari-Liis", "Mari Liis", "Mariliis"],
            },
            Name {
                native: "Liina",
                romanised: &["Liina", "Lina"],
            },
            Name {
                native: "Jaanika",
                romanised: &["Jaanika", "Janika"],
            },
        ],
        family: &[
            Name {
                native: "Tamm",
                romanised: &["Tamm", "Tam"],
            },
            Name {
                native: "Sepp",
                romanised: &["Sepp", "Sep"],
            },
            Name {
                native: "Mägi",
                romanised: &["Mägi", "Magi", "Maegi"],
            },
            Name {
                native: "Kukk",
                romanised: &["Kukk", "Kuk"],
            },
            Name {
                native: "Pärn",
                romanised: &["Pärn", "Parn", "Paern"],
            },
            Name {
                native: "Põder",
                romanised: &["Põder", "Poder"],
            },
            Name {
                native: "Oja",
                romanised: &["Oja", "Oya"],
            },
            Name {
                native: "Lõhmus",
                romanised: &["Lõhmus", "Lohmus"],
            },
            Name {
                native: "Mänd",
                romanised: &["Mänd", "Mand", "Maend"],
            },
            Name {
                native: "Kuusk",
                romanised: &["Kuusk", "Kusk"],
            },
            Name {
                native: "Koppel",
                romanised: &["Koppel", "Kopel"],
            },
            Name {
                native: "Kõiv",
                romanised: &["Kõiv", "Koiv"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Iraqi Arabic. Family names are mostly tribal or descent names with the
    // article al-, which registers write with and without the hyphen, glued
    // on, as el-, or dropped altogether.
    // ------------------------------------------------------------------
    Origin {
        code: "ar-iq",
        nationalities: &["IRQ", "SYR"],
        script: Script::Arabic,
        family_name_first: false,
        weight: 7,
        given_male: &[
            Name {
                native: "محمد",
                romanised: &["Muhammad", "Mohammed", "Mohamed", "Mohammad", "Mukhammed"],
            },
            Name {
                native: "علي",
                romanised: &["Ali", "Aly", "Alee"],
            },
            Name {
                native: "أحمد",
                romanised: &["Ahmed", "Ahmad", "Achmed", "Akhmed"],
            },
            Name {
                native: "حسين",
                romanised: &["Hussein", "Hussain", "Husain", "Husayn", "Hossein"],
            },
            Name {
                native: "حسن",
                romanised: &["Hassan", "Hasan", "Hassen"],
            },
            Name {
                native: "عباس",
                romanised: &["Abbas", "Abas"],
            },
            Name {
                native: "مصطفى",
                romanised: &["Mustafa", "Mustapha", "Moustafa", "Mostafa"],
            },
            Name {
                native: "عمر",
                romanised: &["Omar", "Umar", "Omer"],
            },
            Name {
                native: "حيدر",
                romanised: &["Haider", "Hayder", "Haidar", "Hajdar"],
            },
            Name {
                native: "عبد الله",
                romanised: &["Abdullah", "Abdallah", "Abdulla", "Abd Allah"],
            },
        ],
        given_female: &[
            Name {
                native: "فاطمة",
                romanised: &["Fatima", "Fatimah", "Fatema", "Fatma"],
            },
            Name {
                native: "زينب",
                romanised: &["Zainab", "Zaynab", "Zeinab", "Zaineb"],
            },
            Name {
                native: "مريم",
                romanised: &["Maryam", "Mariam", "Meriem", "Mariyam"],
            },
            Name {
                native: "نور",
                romanised: &["Noor", "Nour", "Nur"],
            },
            Name {
                native: "سارة",
                romanised: &["Sara", "Sarah"],
            },
            Name {
                native: "زهراء",
                romanised: &["Zahraa", "Zahra", "Zehra"],
            },
            Name {
                native: "هدى",
                romanised: &["Huda", "Hoda", "Houda"],
            },
            Name {
                native: "رقية",
                romanised: &["Ruqaya", "Ruqayyah", "Roqaya"],
            },
            Name {
                native: "شيماء",
                romanised: &["Shaimaa", "Shaima", "Shayma", "Chaimaa"],
            },
            Name {
                native: "آمنة",
                romanised: &["Amina", "Aminah", "Amna", "Ameena"],
            },
        ],
        family: &[
            Name {
                native: "الحسن",
                romanised: &["Al-Hassan", "Alhassan", "El Hassan", "Hasan"],
            },
            Name {
                native: "الجبوري",
                romanised: &[
                    "Al-Jubouri",
                    "Aljubouri",
                    "Al-Juburi",
                    "Al-Jabouri",
                    "Jubouri",
                ],
            },
            Name {
                native: "التميمي",
                romanised: &["Al-Tamimi", "Altamimi", "At-Tamimi", "Al Tamimi", "Tamimi"],
            },
            Name {
                native: "العبيدي",
                romanised: &["Al-Obaidi", "Alobaidi", "Al-Ubaydi", "Obaidi"],
            },
            Name {
                native: "الدليمي",
                romanised: &["Al-Dulaimi", "Aldulaimi", "Al-Dulaymi", "Dulaimi"],
            },
            Name {
                native: "الشمري",
                romanised: &[
                    "Al-Shammari",
                    "Alshammari",
                    "Al-Shamari",
                    "Ash-Shammari",
                    "Shammari",
                ],
            },
            Name {
                native: "الربيعي",
                romanised: &["Al-Rubaie", "Alrubaie", "Al-Rubaiy", "Rubaie"],
            },
            Name {
                native: "الساعدي",
                romanised: &["Al-Saadi", "Alsaadi", "Al-Saedi", "Saadi"],
            },
            Name {
                native: "الزبيدي",
                romanised: &["Al-Zubaidi", "Alzubaidi", "Al-Zubeidi", "Zubaidi"],
            },
            Name {
                native: "الموسوي",
                romanised: &["Al-Musawi", "Almusawi", "Al-Moussawi", "Mousawi"],
            },
            Name {
                native: "كاظم",
                romanised: &["Kadhim", "Kazim", "Kazem", "Kathim"],
            },
            Name {
                native: "جاسم",
                romanised: &["Jasim", "Jassim", "Jasem"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Syrian Arabic. Levantine pronunciation shows in the romanisations
    // (Mohammad, Fatmeh); French-influenced forms (ch for sh) occur too.
    // ------------------------------------------------------------------
    Origin {
        code: "ar-sy",
        nationalities: &["SYR"],
        script: Script::Arabic,
        family_name_first: false,
        weight: 4,
        given_male: &[
            Name {
                native: "محمد",
                romanised: &["Mohammad", "Mohamad", "Muhammad", "Mohammed", "Mohamed"],
            },
            Name {
                native: "أحمد",
                romanised: &["Ahmad", "Ahmed", "Achmad"],
            },
            Name {
                native: "خالد",
                romanised: &["Khaled", "Khalid", "Chaled", "Haled"],
            },
            Name {
                native: "عمر",
                romanised: &["Omar", "Omer", "Umar"],
            },
            Name {
                native: "عبد الرحمن",
                romanised: &[
                    "Abdulrahman",
                    "Abdul Rahman",
                    "Abdelrahman",
                    "Abd Alrahman",
                    "Abdurrahman",
                ],
            },
            Name {
                native: "يوسف",
                romanised: &["Yousef", "Youssef", "Yusuf", "Yosef"],
            },
            Name {
                native: "محمود",
                romanised: &["Mahmoud", "Mahmud", "Mahmood"],
            },
            Name {
                native: "إبراهيم",
                romanised: &["Ibrahim", "Ebrahim", "Ibraheem"],
            },
            Name {
                native: "مصطفى",
                romanised: &["Mustafa", "Moustafa", "Mostafa", "Mustapha"],
            },
            Name {
                native: "رامي",
                romanised: &["Rami", "Ramy"],
            },
        ],
        given_female: &[
            Name {
                native: "فاطمة",
                romanised: &["Fatima", "Fatmeh", "Fatma", "Fatimah"],
            },
            Name {
                native: "نور",
                romanised: &["Nour", "Noor", "Nur"],
            },
            Name {
                native: "هبة",
                romanised: &["Hiba", "Heba", "Hibah"],
            },
            Name {
                native: "رشا",
                romanised: &["Rasha", "Racha"],
            },
            Name {
                native: "ريم",
                romanised: &["Reem", "Rim"],
            },
            Name {
                native: "آية",
                romanised: &["Aya", "Ayah", "Aaya"],
            },
            Name {
                native: "ياسمين",
                romanised: &["Yasmin", "Yasmine", "Yasmeen", "Jasmin"],
            },
            Name {
                native: "سلمى",
                romanised: &["Salma", "Selma", "Salmah"],
            },
            Name {
                native: "دعاء",
                romanised: &["Duaa", "Doaa", "Dua"],
            },
            Name {
                native: "رانيا",
                romanised: &["Rania", "Ranya", "Raniya"],
            },
        ],
        family: &[
            Name {
                native: "الأحمد",
                romanised: &["Al-Ahmad", "Alahmad", "Al Ahmed", "Ahmad"],
            },
            Name {
                native: "الخطيب",
                romanised: &["Al-Khatib", "Alkhatib", "El Khatib", "Al-Khateeb", "Khatib"],
            },
            Name {
                native: "الحلبي",
                romanised: &["Al-Halabi", "Alhalabi", "El Halabi", "Halabi"],
            },
            Name {
                native: "المصري",
                romanised: &["Al-Masri", "Almasri", "El Masri", "Masri"],
            },
            Name {
                native: "الشامي",
                romanised: &["Al-Shami", "Alshami", "Al-Chami", "Shami"],
            },
            Name {
                native: "العلي",
                romanised: &["Al-Ali", "Alali", "Al Ali", "Ali"],
            },
            Name {
                native: "حداد",
                romanised: &["Haddad", "Hadad", "Al-Haddad"],
            },
            Name {
                native: "الحمصي",
                romanised: &["Al-Homsi", "Alhomsi", "El Homsi", "Homsi"],
            },
            Name {
                native: "عثمان",
                romanised: &["Othman", "Osman", "Uthman", "Usman"],
            },
            Name {
                native: "سليمان",
                romanised: &["Suleiman", "Sulaiman", "Soleiman", "Sleiman"],
            },
            Name {
                native: "الزعبي",
                romanised: &["Al-Zoubi", "Alzoubi", "Al-Zubi", "Zoubi"],
            },
            Name {
                native: "درويش",
                romanised: &["Darwish", "Darwich", "Derwish"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Dari / Persian from Afghanistan (Persian letters ی and ک). Many
    // Afghans have no inherited family name and take one at registration,
    // often an -i adjective from a given name or a tribal name.
    // ------------------------------------------------------------------
    Origin {
        code: "fa-af",
        nationalities: &["AFG"],
        script: Script::Arabic,
        family_name_first: false,
        weight: 5,
        given_male: &[
            Name {
                native: "محمد",
                romanised: &["Mohammad", "Muhammad", "Mohammed", "Mohamad"],
            },
            Name {
                native: "احمد",
                romanised: &["Ahmad", "Ahmed", "Akhmad"],
            },
            Name {
                native: "علی",
                romanised: &["Ali", "Aly"],
            },
            Name {
                native: "عبدالله",
                romanised: &["Abdullah", "Abdulla", "Abdallah"],
            },
            Name {
                native: "مصطفی",
                romanised: &["Mustafa", "Mostafa", "Mustapha"],
            },
            Name {
                native: "حسین",
                romanised: &["Hussain", "Hussein", "Husain", "Hossain"],
            },
            Name {
                native: "جواد",
                romanised: &["Jawad", "Javad", "Djawad"],
            },
            Name {
                native: "فرید",
                romanised: &["Farid", "Fareed"],
            },
            Name {
                native: "حمید",
                romanised: &["Hamid", "Hameed"],
            },
            Name {
                native: "ذبیح الله",
                romanised: &["Zabihullah", "Zabiullah", "Zabihollah"],
            },
        ],
        given_female: &[
            Name {
                native: "فاطمه",
                romanised: &["Fatima", "Fatema", "Fatemeh"],
            },
            Name {
                native: "مریم",
                romanised: &["Maryam", "Mariam", "Mariyam"],
            },
            Name {
                native: "زهرا",
                romanised: &["Zahra", "Zohra", "Zahraa"],
            },
            Name {
                native: "ملالی",
                romanised: &["Malalai", "Malalay"],
            },
            Name {
                native: "شبنم",
                romanised: &["Shabnam", "Schabnam", "Shabnum"],
            },
            Name {
                native: "فریبا",
                romanised: &["Fariba", "Fareeba"],
            },
            Name {
                native: "نرگس",
                romanised: &["Nargis", "Narges", "Nargiz"],
            },
            Name {
                native: "مرسل",
                romanised: &["Mursal", "Morsal"],
            },
            Name {
                native: "حمیده",
                romanised: &["Hamida", "Hamideh", "Hameeda"],
            },
            Name {
                native: "لیلا",
                romanised: &["Laila", "Leila", "Leyla", "Lila"],
            },
        ],
        family: &[
            Name {
                native: "احمدی",
                romanised: &["Ahmadi", "Ahmady", "Akhmadi"],
            },
            Name {
                native: "محمدی",
                romanised: &["Mohammadi", "Mohamadi", "Muhammadi"],
            },
            Name {
                native: "حیدری",
                romanised: &["Haidari", "Heydari", "Haidary", "Hydari"],
            },
            Name {
                native: "رحیمی",
                romanised: &["Rahimi", "Rahimy", "Raheemi"],
            },
            Name {
                native: "حسینی",
                romanised: &["Hussaini", "Hosseini", "Husaini"],
            },
            Name {
                native: "صدیقی",
                romanised: &["Sediqi", "Siddiqi", "Seddiqi", "Sediqui"],
            },
            Name {
                native: "عزیزی",
                romanised: &["Azizi", "Azizy"],
            },
            Name {
                native: "کریمی",
                romanised: &["Karimi", "Karimy", "Kerimi"],
            },
            Name {
                native: "نظری",
                romanised: &["Nazari", "Nazary"],
            },
            Name {
                native: "هاشمی",
                romanised: &["Hashimi", "Hashemi", "Haschemi"],
            },
            Name {
                native: "سلطانی",
                romanised: &["Sultani", "Soltani", "Sultany"],
            },
            Name {
                native: "ستانکزی",
                romanised: &["Stanikzai", "Stanekzai", "Stanakzai"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Persian from Iran (Persian letters ی and ک). Iranian passports use an
    // English-style romanisation (Hossein, Fatemeh, gh for ق).
    // ------------------------------------------------------------------
    Origin {
        code: "fa-ir",
        nationalities: &["IRN"],
        script: Script::Arabic,
        family_name_first: false,
        weight: 4,
        given_male: &[
            Name {
                native: "محمد",
                romanised: &["Mohammad", "Mohamad", "Muhammad", "Mohammed"],
            },
            Name {
                native: "علی",
                romanised: &["Ali", "Aly"],
            },
            Name {
                native: "حسین",
                romanised: &["Hossein", "Hosein", "Hussein", "Hosseyn"],
            },
            Name {
                native: "رضا",
                romanised: &["Reza", "Resa", "Riza"],
            },
            Name {
                native: "مهدی",
                romanised: &["Mehdi", "Mahdi", "Mehdy"],
            },
            Name {
                native: "امیر",
                romanised: &["Amir", "Ameer"],
            },
            Name {
                native: "علیرضا",
                romanised: &["Alireza", "Ali Reza", "Ali-Reza"],
            },
            Name {
                native: "محسن",
                romanised: &["Mohsen", "Mohsin", "Muhsin"],
            },
            Name {
                native: "سعید",
                romanised: &["Saeed", "Saeid", "Saied", "Said"],
            },
            Name {
                native: "مرتضی",
                romanised: &["Morteza", "Mortaza", "Murtaza"],
            },
        ],
        given_female: &[
            Name {
                native: "فاطمه",
                romanised: &["Fatemeh", "Fateme", "Fatemah", "Fatima"],
            },
            Name {
                native: "زهرا",
                romanised: &["Zahra", "Zahraa"],
            },
            Name {
                native: "مریم",
                romanised: &["Maryam", "Mariam"],
            },
            Name {
                native: "سارا",
                romanised: &["Sara", "Sarah"],
            },
            Name {
                native: "نازنین",
                romanised: &["Nazanin", "Nasanin"],
            },
            Name {
                native: "زینب",
                romanised: &["Zeinab", "Zeynab", "Zaynab", "Zainab"],
            },
            Name {
                native: "معصومه",
                romanised: &["Masoumeh", "Masoume", "Masumeh", "Masoomeh"],
            },
            Name {
                native: "نرگس",
                romanised: &["Narges", "Nargess", "Nargis"],
            },
            Name {
                native: "لیلا",
                romanised: &["Leila", "Leyla", "Laila"],
            },
            Name {
                native: "نیلوفر",
                romanised: &["Niloofar", "Niloufar", "Nilufar", "Nilofar"],
            },
        ],
        family: &[
            Name {
                native: "محمدی",
                romanised: &["Mohammadi", "Mohamadi", "Muhammadi"],
            },
            Name {
                native: "حسینی",
                romanised: &["Hosseini", "Hoseini", "Husseini", "Hosseyni"],
            },
            Name {
                native: "احمدی",
                romanised: &["Ahmadi", "Ahmady"],
            },
            Name {
                native: "رضایی",
                romanised: &["Rezaei", "Rezaee", "Rezaie", "Rezai", "Rezayi"],
            },
            Name {
                native: "کریمی",
                romanised: &["Karimi", "Karimy"],
            },
            Name {
                native: "موسوی",
                romanised: &["Mousavi", "Musavi", "Moussavi", "Mousawi"],
            },
            Name {
                native: "جعفری",
                romanised: &["Jafari", "Jaafari", "Ja'fari", "Djafari"],
            },
            Name {
                native: "رحیمی",
                romanised: &["Rahimi", "Rahimy"],
            },
            Name {
                native: "صادقی",
                romanised: &["Sadeghi", "Sadeqi", "Sadeghy"],
            },
            Name {
                native: "کاظمی",
                romanised: &["Kazemi", "Kazimi", "Kasemi"],
            },
            Name {
                native: "حیدری",
                romanised: &["Heidari", "Heydari", "Haidari"],
            },
            Name {
                native: "قاسمی",
                romanised: &["Ghasemi", "Qasemi", "Ghassemi", "Kasemi"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Somali. Native form: Somali orthography (c = ع, x = ح, doubled vowels
    // long). Registers hold the passport form first. Family names are
    // patronymics, so they are the same stock as the male given names.
    // ------------------------------------------------------------------
    Origin {
        code: "so",
        nationalities: &["SOM"],
        script: Script::Latin,
        family_name_first: false,
        weight: 4,
        given_male: &[
            Name {
                native: "Maxamed",
                romanised: &["Mohamed", "Maxamed", "Mohammed", "Muhammad", "Mahamed"],
            },
            Name {
                native: "Cabdullaahi",
                romanised: &["Abdullahi", "Cabdullaahi", "Abdulahi", "Abdillahi"],
            },
            Name {
                native: "Axmed",
                romanised: &["Ahmed", "Axmed", "Ahmad"],
            },
            Name {
                native: "Cali",
                romanised: &["Ali", "Cali"],
            },
            Name {
                native: "Xasan",
                romanised: &["Hassan", "Xasan", "Hasan"],
            },
            Name {
                native: "Cabdi",
                romanised: &["Abdi", "Cabdi"],
            },
            Name {
                native: "Cumar",
                romanised: &["Omar", "Cumar", "Umar"],
            },
            Name {
                native: "Yuusuf",
                romanised: &["Yusuf", "Yuusuf", "Yousuf", "Yussuf"],
            },
            Name {
                native: "Ismaaciil",
                romanised: &["Ismail", "Ismaaciil", "Ismael"],
            },
            Name {
                native: "Xuseen",
                romanised: &["Hussein", "Xuseen", "Hussen", "Husein"],
            },
        ],
        given_female: &[
            Name {
                native: "Faadumo",
                romanised: &["Fadumo", "Faadumo", "Fatuma", "Fatima"],
            },
            Name {
                native: "Khadiija",
                romanised: &["Khadija", "Khadiija", "Hadija"],
            },
            Name {
                native: "Caasha",
                romanised: &["Asha", "Caasha", "Aisha"],
            },
            Name {
                native: "Xaliimo",
                romanised: &["Halima", "Xaliimo", "Halimo"],
            },
            Name {
                native: "Maryan",
                romanised: &["Maryan", "Mariam", "Maryam"],
            },
            Name {
                native: "Hodan",
                romanised: &["Hodan", "Hoodan"],
            },
            Name {
                native: "Sahra",
                romanised: &["Sahra", "Sahro", "Zahra"],
            },
            Name {
                native: "Ayaan",
                romanised: &["Ayan", "Ayaan"],
            },
            Name {
                native: "Nimco",
                romanised: &["Nimo", "Nimco", "Nimca"],
            },
            Name {
                native: "Sucaad",
                romanised: &["Suad", "Sucaad", "Souad"],
            },
        ],
        family: &[
            Name {
                native: "Maxamed",
                romanised: &["Mohamed", "Maxamed", "Mohammed", "Mohamad"],
            },
            Name {
                native: "Cabdi",
                romanised: &["Abdi", "Cabdi"],
            },
            Name {
                native: "Xasan",
                romanised: &["Hassan", "Xasan", "Hasan"],
            },
            Name {
                native: "Cali",
                romanised: &["Ali", "Cali"],
            },
            Name {
                native: "Faarax",
                romanised: &["Farah", "Faarax", "Fara"],
            },
            Name {
                native: "Jaamac",
                romanised: &["Jama", "Jaamac", "Jamac"],
            },
            Name {
                native: "Warsame",
                romanised: &["Warsame", "Warsama"],
            },
            Name {
                native: "Cismaan",
                romanised: &["Osman", "Cismaan", "Othman", "Usman"],
            },
            Name {
                native: "Maxamuud",
                romanised: &["Mohamud", "Maxamuud", "Mohamoud", "Mahmoud"],
            },
            Name {
                native: "Aadan",
                romanised: &["Adan", "Aadan", "Aden", "Adam"],
            },
            Name {
                native: "Nuur",
                romanised: &["Nur", "Nuur", "Noor"],
            },
            Name {
                native: "Guuleed",
                romanised: &["Guled", "Guuleed", "Gulled"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Vietnamese, family name first. Given names include the middle name
    // (Văn, Thị, Minh...), which registers put in the given-name field,
    // sometimes glued on or hyphenated; Đ loses its bar as D.
    // ------------------------------------------------------------------
    Origin {
        code: "vi",
        nationalities: &["VNM"],
        script: Script::Latin,
        family_name_first: true,
        weight: 6,
        given_male: &[
            Name {
                native: "Văn Hùng",
                romanised: &["Văn Hùng", "Van Hung", "Van-Hung"],
            },
            Name {
                native: "Minh Tuấn",
                romanised: &["Minh Tuấn", "Minh Tuan", "Minhtuan"],
            },
            Name {
                native: "Đức Anh",
                romanised: &["Đức Anh", "Duc Anh", "Ducanh"],
            },
            Name {
                native: "Quang Huy",
                romanised: &["Quang Huy", "Quanghuy"],
            },
            Name {
                native: "Văn Nam",
                romanised: &["Văn Nam", "Van Nam", "Van-Nam"],
            },
            Name {
                native: "Thanh Tùng",
                romanised: &["Thanh Tùng", "Thanh Tung"],
            },
            Name {
                native: "Hoàng Long",
                romanised: &["Hoàng Long", "Hoang Long"],
            },
            Name {
                native: "Minh Khôi",
                romanised: &["Minh Khôi", "Minh Khoi"],
            },
            Name {
                native: "Quốc Bảo",
                romanised: &["Quốc Bảo", "Quoc Bao"],
            },
            Name {
                native: "Tuấn Anh",
                romanised: &["Tuấn Anh", "Tuan Anh", "Tuananh"],
            },
        ],
        given_female: &[
            Name {
                native: "Thị Lan",
                romanised: &["Thị Lan", "Thi Lan", "Thi-Lan"],
            },
            Name {
                native: "Thị Hương",
                romanised: &["Thị Hương", "Thi Huong", "Thi-Huong"],
            },
            Name {
                native: "Thị Mai",
                romanised: &["Thị Mai", "Thi Mai"],
            },
            Name {
                native: "Ngọc Anh",
                romanised: &["Ngọc Anh", "Ngoc Anh", "Ngocanh"],
            },
            Name {
                native: "Thu Trang",
                romanised: &["Thu Trang", "Thutrang"],
            },
            Name {
                native: "Thị Hằng",
                romanised: &["Thị Hằng", "Thi Hang", "Thi-Hang"],
            },
            Name {
                native: "Phương Linh",
                romanised: &["Phương Linh", "Phuong Linh"],
            },
            Name {
                native: "Thị Thảo",
                romanised: &["Thị Thảo", "Thi Thao"],
            },
            Name {
                native: "Thanh Hà",
                romanised: &["Thanh Hà", "Thanh Ha"],
            },
            Name {
                native: "Thị Nga",
                romanised: &["Thị Nga", "Thi Nga", "Thi-Nga"],
            },
        ],
        family: &[
            Name {
                native: "Nguyễn",
                romanised: &["Nguyễn", "Nguyen", "Ngyuen"],
            },
            Name {
                native: "Trần",
                romanised: &["Trần", "Tran"],
            },
            Name {
                native: "Lê",
                romanised: &["Lê", "Le"],
            },
            Name {
                native: "Phạm",
                romanised: &["Phạm", "Pham"],
            },
            Name {
                native: "Hoàng",
                romanised: &["Hoàng", "Hoang"],
            },
            Name {
                native: "Huỳnh",
                romanised: &["Huỳnh", "Huynh"],
            },
            Name {
                native: "Vũ",
                romanised: &["Vũ", "Vu"],
            },
            Name {
                native: "Võ",
                romanised: &["Võ", "Vo"],
            },
            Name {
                native: "Đặng",
                romanised: &["Đặng", "Dang"],
            },
            Name {
                native: "Bùi",
                romanised: &["Bùi", "Bui"],
            },
            Name {
                native: "Đỗ",
                romanised: &["Đỗ", "Do"],
            },
            Name {
                native: "Ngô",
                romanised: &["Ngô", "Ngo"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Chinese (simplified characters), family name first. Romanisations:
    // Hanyu Pinyin (the PRC passport form, given names written joined or
    // spaced), Wade–Giles (older and Taiwanese documents, with and without
    // its apostrophes and umlauts), Hong Kong Cantonese, and for a few
    // family names the Hokkien form common in South-East Asia.
    // ------------------------------------------------------------------
    Origin {
        code: "zh",
        nationalities: &["CHN"],
        script: Script::Han,
        family_name_first: true,
        weight: 6,
        given_male: &[
            Name {
                native: "伟",
                romanised: &["Wei", "Wai"],
            },
            Name {
                native: "强",
                romanised: &["Qiang", "Ch'iang", "Chiang", "Keung"],
            },
            Name {
                native: "磊",
                romanised: &["Lei", "Lui"],
            },
            Name {
                native: "军",
                romanised: &["Jun", "Chün", "Chun", "Kwan"],
            },
            Name {
                native: "杰",
                romanised: &["Jie", "Chieh", "Kit"],
            },
            Name {
                native: "浩然",
                romanised: &["Haoran", "Hao Ran", "Hao-jan", "Ho Yin"],
            },
            Name {
                native: "俊杰",
                romanised: &["Junjie", "Jun Jie", "Chün-chieh", "Chun Kit"],
            },
            Name {
                native: "建华",
                romanised: &["Jianhua", "Jian Hua", "Chien-hua", "Kin Wah"],
            },
            Name {
                native: "志强",
                romanised: &["Zhiqiang", "Zhi Qiang", "Chih-ch'iang", "Chi Keung"],
            },
            Name {
                native: "宇轩",
                romanised: &["Yuxuan", "Yu Xuan", "Yü-hsüan", "Yu Hin"],
            },
        ],
        given_female: &[
            Name {
                native: "芳",
                romanised: &["Fang", "Fong"],
            },
            Name {
                native: "静",
                romanised: &["Jing", "Ching"],
            },
            Name {
                native: "敏",
                romanised: &["Min", "Man"],
            },
            Name {
                native: "艳",
                romanised: &["Yan", "Yen", "Yim"],
            },
            Name {
                native: "秀英",
                romanised: &["Xiuying", "Xiu Ying", "Hsiu-ying", "Sau Ying"],
            },
            Name {
                native: "桂英",
                romanised: &["Guiying", "Gui Ying", "Kuei-ying", "Kwai Ying"],
            },
            Name {
                native: "晓燕",
                romanised: &["Xiaoyan", "Xiao Yan", "Hsiao-yen", "Hiu Yin"],
            },
            Name {
                native: "欣怡",
                romanised: &["Xinyi", "Xin Yi", "Hsin-i", "Yan Yi"],
            },
            Name {
                native: "梓涵",
                romanised: &["Zihan", "Zi Han", "Tzu-han", "Tsz Ham"],
            },
            Name {
                native: "丽娟",
                romanised: &["Lijuan", "Li Juan", "Li-chüan", "Lai Kuen"],
            },
        ],
        family: &[
            Name {
                native: "王",
                romanised: &["Wang", "Wong"],
            },
            Name {
                native: "李",
                romanised: &["Li", "Lee", "Lei"],
            },
            Name {
                native: "张",
                romanised: &["Zhang", "Chang", "Cheung"],
            },
            Name {
                native: "刘",
                romanised: &["Liu", "Lau"],
            },
            Name {
                native: "陈",
                romanised: &["Chen", "Ch'en", "Chan", "Tan"],
            },
            Name {
                native: "杨",
                romanised: &["Yang", "Yeung", "Young"],
            },
            Name {
                native: "黄",
                romanised: &["Huang", "Wong", "Hwang"],
            },
            Name {
                native: "赵",
                romanised: &["Zhao", "Chao", "Chiu"],
            },
            Name {
                native: "吴",
                romanised: &["Wu", "Ng", "Woo"],
            },
            Name {
                native: "周",
                romanised: &["Zhou", "Chou", "Chow", "Chau"],
            },
            Name {
                native: "徐",
                romanised: &["Xu", "Hsu", "Hsü", "Tsui"],
            },
            Name {
                native: "孙",
                romanised: &["Sun", "Suen"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Thai. Passports let the holder choose the spelling, so the same name
    // appears in the Royal Thai General System (Prasoet, Phonthip), in
    // older or sound-based forms (Prasert, Porntip) and with r/l, th/t,
    // ph/p, ee/i alternations.
    // ------------------------------------------------------------------
    Origin {
        code: "th",
        nationalities: &["THA"],
        script: Script::Thai,
        family_name_first: false,
        weight: 4,
        given_male: &[
            Name {
                native: "สมชาย",
                romanised: &["Somchai", "Somchay"],
            },
            Name {
                native: "สมศักดิ์",
                romanised: &["Somsak", "Somsakdi", "Somsack"],
            },
            Name {
                native: "ประเสริฐ",
                romanised: &["Prasert", "Prasoet", "Prasirt"],
            },
            Name {
                native: "สมพงษ์",
                romanised: &["Sompong", "Somphong"],
            },
            Name {
                native: "วิชัย",
                romanised: &["Wichai", "Vichai", "Wichay"],
            },
            Name {
                native: "ธนากร",
                romanised: &["Thanakorn", "Tanakorn", "Thanakon"],
            },
            Name {
                native: "อนุชา",
                romanised: &["Anucha", "Anuchar"],
            },
            Name {
                native: "สุรชัย",
                romanised: &["Surachai", "Surachay"],
            },
            Name {
                native: "ณัฐพล",
                romanised: &["Nattapon", "Natthaphon", "Nuttapol", "Nattaphol"],
            },
            Name {
                native: "กิตติศักดิ์",
                romanised: &["Kittisak", "Kittisuk", "Kitisak"],
            },
        ],
        given_female: &[
            Name {
                native: "สมศรี",
                romanised: &["Somsri", "Somsi", "Somsree"],
            },
            Name {
                native: "มาลี",
                romanised: &["Malee", "Mali"],
            },
            Name {
                native: "สุดารัตน์",
                romanised: &["Sudarat", "Sudarath", "Sudarut"],
            },
            Name {
                native: "ณัฐธิดา",
                romanised: &["Natthida", "Nattida", "Nuttida"],
            },
            Name {
                native: "กาญจนา",
                romanised: &["Kanchana", "Karnchana", "Kanjana"],
            },
            Name {
                native: "วันเพ็ญ",
                romanised: &["Wanpen", "Wanphen", "Vanpen"],
            },
            Name {
                native: "ปราณี",
                romanised: &["Pranee", "Prani", "Pranie"],
            },
            Name {
                native: "รัตนา",
                romanised: &["Rattana", "Ratana"],
            },
            Name {
                native: "พรทิพย์",
                romanised: &["Porntip", "Phonthip", "Pornthip"],
            },
            Name {
                native: "ศิริพร",
                romanised: &["Siriporn", "Siriphon", "Siripon"],
            },
        ],
        family: &[
            Name {
                native: "แสงทอง",
                romanised: &["Saengthong", "Sangthong", "Saengtong"],
            },
            Name {
                native: "ศรีสุข",
                romanised: &["Srisuk", "Sisuk", "Srisook"],
            },
            Name {
                native: "ใจดี",
                romanised: &["Jaidee", "Chaidi", "Jaidi"],
            },
            Name {
                native: "สุขสวัสดิ์",
                romanised: &["Suksawat", "Suksawad", "Sooksawat"],
            },
            Name {
                native: "วงศ์สวัสดิ์",
                romanised: &["Wongsawat", "Wongsawad", "Vongsawat"],
            },
            Name {
                native: "บุญมา",
                romanised: &["Boonma", "Bunma", "Bounma"],
            },
            Name {
                native: "ทองดี",
                romanised: &["Thongdee", "Thongdi", "Tongdee"],
            },
            Name {
                native: "เจริญสุข",
                romanised: &["Charoensuk", "Jaroensuk", "Charoensook"],
            },
            Name {
                native: "ศรีสวัสดิ์",
                romanised: &["Srisawat", "Sisawat", "Srisawad"],
            },
            Name {
                native: "จันทร์แก้ว",
                romanised: &["Chankaew", "Jankaew", "Chankaeo"],
            },
            Name {
                native: "แก้วมณี",
                romanised: &["Kaewmanee", "Kaeomani", "Keawmanee"],
            },
            Name {
                native: "รัตนพันธ์",
                romanised: &["Rattanaphan", "Rattanapan", "Ratanapan"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Indian (Hindi, Devanagari). No single official scheme: long vowels
    // as ee/oo or i/u, South Indian "th" for त, sh/s, v/w/b.
    // ------------------------------------------------------------------
    Origin {
        code: "hi",
        nationalities: &["IND"],
        script: Script::Devanagari,
        family_name_first: false,
        weight: 9,
        given_male: &[
            Name {
                native: "राहुल",
                romanised: &["Rahul", "Raahul", "Rahool"],
            },
            Name {
                native: "अमित",
                romanised: &["Amit", "Amith", "Ameet"],
            },
            Name {
                native: "संजय",
                romanised: &["Sanjay", "Sanjai", "Sunjay"],
            },
            Name {
                native: "विजय",
                romanised: &["Vijay", "Vijai"],
            },
            Name {
                native: "दीपक",
                romanised: &["Deepak", "Dipak"],
            },
            Name {
                native: "प्रदीप",
                romanised: &["Pradeep", "Pradip", "Pardeep"],
            },
            Name {
                native: "सुनील",
                romanised: &["Sunil", "Suneel"],
            },
            Name {
                native: "आदित्य",
                romanised: &["Aditya", "Adithya", "Aaditya"],
            },
            Name {
                native: "रोहित",
                romanised: &["Rohit", "Rohith"],
            },
            Name {
                native: "अनिल",
                romanised: &["Anil", "Aneel"],
            },
        ],
        given_female: &[
            Name {
                native: "प्रिया",
                romanised: &["Priya", "Priyaa", "Preeya"],
            },
            Name {
                native: "पूजा",
                romanised: &["Pooja", "Puja"],
            },
            Name {
                native: "अंजलि",
                romanised: &["Anjali", "Anjaly", "Anjalee"],
            },
            Name {
                native: "नेहा",
                romanised: &["Neha", "Nehaa"],
            },
            Name {
                native: "सुनीता",
                romanised: &["Sunita", "Sunitha", "Suneeta"],
            },
            Name {
                native: "दीपिका",
                romanised: &["Deepika", "Dipika"],
            },
            Name {
                native: "कविता",
                romanised: &["Kavita", "Kavitha"],
            },
            Name {
                native: "श्वेता",
                romanised: &["Shweta", "Sweta", "Shwetha", "Swetha"],
            },
            Name {
                native: "लक्ष्मी",
                romanised: &["Lakshmi", "Laxmi", "Lakshmy"],
            },
            Name {
                native: "दिव्या",
                romanised: &["Divya", "Dibya", "Divyaa"],
            },
        ],
        family: &[
            Name {
                native: "शर्मा",
                romanised: &["Sharma", "Sarma"],
            },
            Name {
                native: "सिंह",
                romanised: &["Singh", "Sinh", "Sing"],
            },
            Name {
                native: "कुमार",
                romanised: &["Kumar", "Kumaar"],
            },
            Name {
                native: "गुप्ता",
                romanised: &["Gupta", "Guptha"],
            },
            Name {
                native: "वर्मा",
                romanised: &["Verma", "Varma"],
            },
            Name {
                native: "यादव",
                romanised: &["Yadav", "Yadava"],
            },
            Name {
                native: "मिश्रा",
                romanised: &["Mishra", "Misra"],
            },
            Name {
                native: "श्रीवास्तव",
                romanised: &["Srivastava", "Shrivastava", "Srivastav", "Shrivastav"],
            },
            Name {
                native: "चौधरी",
                romanised: &["Chaudhary", "Choudhary", "Chaudhari", "Chowdhury"],
            },
            Name {
                native: "अग्रवाल",
                romanised: &["Agarwal", "Aggarwal", "Agrawal"],
            },
            Name {
                native: "तिवारी",
                romanised: &["Tiwari", "Tewari", "Tiwary"],
            },
            Name {
                native: "पाण्डेय",
                romanised: &["Pandey", "Pande", "Pandeya"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Bangladeshi (Bengali script). "Md." for Mohammad is routine in
    // Bangladeshi documents; Bengali pronunciation gives o for a (Rohim).
    // ------------------------------------------------------------------
    Origin {
        code: "bn",
        nationalities: &["BGD"],
        script: Script::Bengali,
        family_name_first: false,
        weight: 3,
        given_male: &[
            Name {
                native: "মোহাম্মদ",
                romanised: &["Mohammad", "Md.", "Muhammad", "Mohammed", "Md"],
            },
            Name {
                native: "আব্দুল",
                romanised: &["Abdul", "Abdool"],
            },
            Name {
                native: "রহিম",
                romanised: &["Rahim", "Rohim", "Raheem"],
            },
            Name {
                native: "করিম",
                romanised: &["Karim", "Korim", "Kareem"],
            },
            Name {
                native: "হাসান",
                romanised: &["Hasan", "Hassan"],
            },
            Name {
                native: "রফিক",
                romanised: &["Rafiq", "Rafique", "Rofiq"],
            },
            Name {
                native: "শফিকুল",
                romanised: &["Shafiqul", "Shafikul", "Safiqul"],
            },
            Name {
                native: "মাহমুদ",
                romanised: &["Mahmud", "Mahmood", "Mahmoud"],
            },
            Name {
                native: "সাকিব",
                romanised: &["Sakib", "Shakib", "Saqib"],
            },
            Name {
                native: "তানভীর",
                romanised: &["Tanvir", "Tanveer", "Tanbir"],
            },
        ],
        given_female: &[
            Name {
                native: "ফাতেমা",
                romanised: &["Fatema", "Fatima", "Fatama"],
            },
            Name {
                native: "নুসরাত",
                romanised: &["Nusrat", "Nushrat", "Nusrath"],
            },
            Name {
                native: "সুমাইয়া",
                romanised: &["Sumaiya", "Sumaya", "Sumaiyah"],
            },
            Name {
                native: "তাসলিমা",
                romanised: &["Taslima", "Tasleema"],
            },
            Name {
                native: "নাসরিন",
                romanised: &["Nasrin", "Nasreen"],
            },
            Name {
                native: "শারমিন",
                romanised: &["Sharmin", "Sharmeen", "Sarmin"],
            },
            Name {
                native: "আয়েশা",
                romanised: &["Ayesha", "Aysha", "Aisha"],
            },
            Name {
                native: "মরিয়ম",
                romanised: &["Mariam", "Moriom", "Maryam"],
            },
            Name {
                native: "সাদিয়া",
                romanised: &["Sadia", "Sadiya", "Saadia"],
            },
            Name {
                native: "ফারজানা",
                romanised: &["Farzana", "Farjana"],
            },
        ],
        family: &[
            Name {
                native: "হোসেন",
                romanised: &["Hossain", "Hossen", "Hussain", "Hosen"],
            },
            Name {
                native: "ইসলাম",
                romanised: &["Islam", "Eslam"],
            },
            Name {
                native: "রহমান",
                romanised: &["Rahman", "Rahaman", "Rehman"],
            },
            Name {
                native: "আহমেদ",
                romanised: &["Ahmed", "Ahmmed", "Ahmad"],
            },
            Name {
                native: "চৌধুরী",
                romanised: &["Chowdhury", "Choudhury", "Chaudhuri", "Chowdhuri"],
            },
            Name {
                native: "উদ্দিন",
                romanised: &["Uddin", "Uddeen", "Udin"],
            },
            Name {
                native: "মিয়া",
                romanised: &["Miah", "Mia", "Mian", "Miya"],
            },
            Name {
                native: "সরকার",
                romanised: &["Sarker", "Sarkar", "Sircar"],
            },
            Name {
                native: "আক্তার",
                romanised: &["Akter", "Akhtar", "Aktar", "Akther"],
            },
            Name {
                native: "বেগম",
                romanised: &["Begum", "Begom", "Begam"],
            },
            Name {
                native: "দাস",
                romanised: &["Das", "Dass"],
            },
            Name {
                native: "মণ্ডল",
                romanised: &["Mondal", "Mandal", "Mondol"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Filipino. Spanish and English names; "Ma." for Maria, compound given
    // names written spaced, joined or hyphenated, particles in family names
    // (Dela Cruz, De los Santos) written every way, ñ dropped.
    // ------------------------------------------------------------------
    Origin {
        code: "tl",
        nationalities: &["PHL"],
        script: Script::Latin,
        family_name_first: false,
        weight: 5,
        given_male: &[
            Name {
                native: "John Paul",
                romanised: &["John Paul", "Johnpaul", "John-Paul", "Jhon Paul"],
            },
            Name {
                native: "Mark Anthony",
                romanised: &["Mark Anthony", "Marc Anthony", "Mark Antony"],
            },
            Name {
                native: "José",
                romanised: &["José", "Jose"],
            },
            Name {
                native: "Juan Carlos",
                romanised: &["Juan Carlos", "Juancarlos", "Juan-Carlos"],
            },
            Name {
                native: "Christian",
                romanised: &["Christian", "Cristian", "Kristian"],
            },
            Name {
                native: "Michael",
                romanised: &["Michael", "Micheal"],
            },
            Name {
                native: "Ramón",
                romanised: &["Ramón", "Ramon"],
            },
            Name {
                native: "Jericho",
                romanised: &["Jericho", "Jerico"],
            },
            Name {
                native: "Jeffrey",
                romanised: &["Jeffrey", "Jeffery", "Jefferey"],
            },
            Name {
                native: "Reynaldo",
                romanised: &["Reynaldo", "Reinaldo", "Renaldo"],
            },
        ],
        given_female: &[
            Name {
                native: "Maria Cristina",
                romanised: &["Maria Cristina", "Ma. Cristina", "Ma Cristina"],
            },
            Name {
                native: "Maria Theresa",
                romanised: &["Maria Theresa", "Ma. Theresa", "Maria Teresa"],
            },
            Name {
                native: "Mary Grace",
                romanised: &["Mary Grace", "Marygrace", "Mary-Grace"],
            },
            Name {
                native: "Jennifer",
                romanised: &["Jennifer", "Jenifer"],
            },
            Name {
                native: "Kristine",
                romanised: &["Kristine", "Christine", "Cristine"],
            },
            Name {
                native: "Angelica",
                romanised: &["Angelica", "Anjelica", "Angelika"],
            },
            Name {
                native: "Jocelyn",
                romanised: &["Jocelyn", "Joselyn", "Jocelyne"],
            },
            Name {
                native: "Maricel",
                romanised: &["Maricel", "Marisel", "Maricell"],
            },
            Name {
                native: "Rowena",
                romanised: &["Rowena", "Rowina"],
            },
            Name {
                native: "Lourdes",
                romanised: &["Lourdes", "Lurdes"],
            },
        ],
        family: &[
            Name {
                native: "Dela Cruz",
                romanised: &["Dela Cruz", "De la Cruz", "Delacruz", "De La Cruz"],
            },
            Name {
                native: "Garcia",
                romanised: &["Garcia", "García"],
            },
            Name {
                native: "Reyes",
                romanised: &["Reyes", "Reyez"],
            },
            Name {
                native: "Bautista",
                romanised: &["Bautista", "Batista", "Baptista"],
            },
            Name {
                native: "Mendoza",
                romanised: &["Mendoza", "Mendosa"],
            },
            Name {
                native: "Villanueva",
                romanised: &["Villanueva", "Vilanueva", "Villa Nueva"],
            },
            Name {
                native: "Gonzales",
                romanised: &["Gonzales", "Gonzalez", "González"],
            },
            Name {
                native: "Peña",
                romanised: &["Peña", "Pena", "Penya"],
            },
            Name {
                native: "Muñoz",
                romanised: &["Muñoz", "Munoz"],
            },
            Name {
                native: "De los Santos",
                romanised: &[
                    "De los Santos",
                    "Delos Santos",
                    "De Los Santos",
                    "Delossantos",
                ],
            },
            Name {
                native: "Flores",
                romanised: &["Flores", "Florez"],
            },
            Name {
                native: "Castillo",
                romanised: &["Castillo", "Castilo"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Turkish. Variants: dropped diacritics (ı → i, ş → s, ç → c, ğ → g),
    // German-style ö/ü → oe/ue, and German phonetic spellings (Tschelik).
    // ------------------------------------------------------------------
    Origin {
        code: "tr",
        nationalities: &["TUR"],
        script: Script::Latin,
        family_name_first: false,
        weight: 3,
        given_male: &[
            Name {
                native: "Mehmet",
                romanised: &["Mehmet", "Mehmed"],
            },
            Name {
                native: "Mustafa",
                romanised: &["Mustafa", "Moustafa", "Mustapha"],
            },
            Name {
                native: "Ahmet",
                romanised: &["Ahmet", "Ahmed"],
            },
            Name {
                native: "Hüseyin",
                romanised: &["Hüseyin", "Huseyin", "Hueseyin", "Husejin"],
            },
            Name {
                native: "İbrahim",
                romanised: &["İbrahim", "Ibrahim"],
            },
            Name {
                native: "Murat",
                romanised: &["Murat", "Murad"],
            },
            Name {
                native: "Ömer",
                romanised: &["Ömer", "Omer", "Oemer"],
            },
            Name {
                native: "Gökhan",
                romanised: &["Gökhan", "Gokhan", "Goekhan"],
            },
            Name {
                native: "Özgür",
                romanised: &["Özgür", "Ozgur", "Oezguer"],
            },
            Name {
                native: "Yiğit",
                romanised: &["Yiğit", "Yigit", "Jigit"],
            },
        ],
        given_female: &[
            Name {
                native: "Ayşe",
                romanised: &["Ayşe", "Ayse", "Ayshe", "Aysche"],
            },
            Name {
                native: "Hatice",
                romanised: &["Hatice", "Hatije", "Hatidsche"],
            },
            Name {
                native: "Zeynep",
                romanised: &["Zeynep", "Zejnep", "Zeinep"],
            },
            Name {
                native: "Merve",
                romanised: &["Merve", "Merwe"],
            },
            Name {
                native: "Özlem",
                romanised: &["Özlem", "Ozlem", "Oezlem"],
            },
            Name {
                native: "Şeyma",
                romanised: &["Şeyma", "Seyma", "Sheyma"],
            },
            Name {
                native: "Büşra",
                romanised: &["Büşra", "Busra", "Buesra", "Bushra"],
            },
            Name {
                native: "Gülşen",
                romanised: &["Gülşen", "Gulsen", "Guelsen"],
            },
            Name {
                native: "Çiğdem",
                romanised: &["Çiğdem", "Cigdem", "Tschigdem"],
            },
            Name {
                native: "Gülay",
                romanised: &["Gülay", "Gulay", "Guelay"],
            },
        ],
        family: &[
            Name {
                native: "Yılmaz",
                romanised: &["Yılmaz", "Yilmaz", "Jilmaz"],
            },
            Name {
                native: "Kaya",
                romanised: &["Kaya", "Kaja"],
            },
            Name {
                native: "Şahin",
                romanised: &["Şahin", "Sahin", "Schahin", "Shahin"],
            },
            Name {
                native: "Çelik",
                romanised: &["Çelik", "Celik", "Tschelik"],
            },
            Name {
                native: "Yıldız",
                romanised: &["Yıldız", "Yildiz", "Jildiz"],
            },
            Name {
                native: "Yıldırım",
                romanised: &["Yıldırım", "Yildirim"],
            },
            Name {
                native: "Öztürk",
                romanised: &["Öztürk", "Ozturk", "Oeztuerk"],
            },
            Name {
                native: "Aydın",
                romanised: &["Aydın", "Aydin", "Ajdin"],
            },
            Name {
                native: "Özdemir",
                romanised: &["Özdemir", "Ozdemir", "Oezdemir"],
            },
            Name {
                native: "Doğan",
                romanised: &["Doğan", "Dogan"],
            },
            Name {
                native: "Kılıç",
                romanised: &["Kılıç", "Kilic", "Kilitsch"],
            },
            Name {
                native: "Çetin",
                romanised: &["Çetin", "Cetin", "Tschetin"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Nepali (Devanagari). Nepali speakers romanise व as b and श/ष as s or
    // sh; "K.C." (Khatri Chhetri) is written with and without its dots.
    // ------------------------------------------------------------------
    Origin {
        code: "ne",
        nationalities: &["NPL"],
        script: Script::Devanagari,
        family_name_first: false,
        weight: 3,
        given_male: &[
            Name {
                native: "राम",
                romanised: &["Ram", "Raam"],
            },
            Name {
                native: "श्याम",
                romanised: &["Shyam", "Syam", "Shyaam"],
            },
            Name {
                native: "हरि",
                romanised: &["Hari", "Haree"],
            },
            Name {
                native: "कृष्ण",
                romanised: &["Krishna", "Krisna", "Krishn"],
            },
            Name {
                native: "विकास",
                romanised: &["Bikash", "Bikas", "Vikash", "Vikas"],
            },
            Name {
                native: "सुरेश",
                romanised: &["Suresh", "Sures"],
            },
            Name {
                native: "दीपक",
                romanised: &["Dipak", "Deepak"],
            },
            Name {
                native: "रमेश",
                romanised: &["Ramesh", "Rames"],
            },
            Name {
                native: "सन्तोष",
                romanised: &["Santosh", "Santos"],
            },
            Name {
                native: "विनोद",
                romanised: &["Binod", "Vinod"],
            },
        ],
        given_female: &[
            Name {
                native: "सीता",
                romanised: &["Sita", "Seeta", "Sitaa"],
            },
            Name {
                native: "गीता",
                romanised: &["Gita", "Geeta"],
            },
            Name {
                native: "सरिता",
                romanised: &["Sarita", "Saritha"],
            },
            Name {
                native: "सुनिता",
                romanised: &["Sunita", "Suneeta"],
            },
            Name {
                native: "अनिता",
                romanised: &["Anita", "Aneeta"],
            },
            Name {
                native: "मीना",
                romanised: &["Mina", "Meena"],
            },
            Name {
                native: "लक्ष्मी",
                romanised: &["Laxmi", "Lakshmi", "Luxmi"],
            },
            Name {
                native: "पुष्पा",
                romanised: &["Pushpa", "Puspa"],
            },
            Name {
                native: "कमला",
                romanised: &["Kamala", "Kamla"],
            },
            Name {
                native: "सुस्मिता",
                romanised: &["Susmita", "Sushmita"],
            },
        ],
        family: &[
            Name {
                native: "श्रेष्ठ",
                romanised: &["Shrestha", "Srestha", "Shresta"],
            },
            Name {
                native: "थापा",
                romanised: &["Thapa", "Thappa"],
            },
            Name {
                native: "गुरुङ",
                romanised: &["Gurung", "Gurang"],
            },
            Name {
                native: "के.सी.",
                romanised: &["KC", "K.C.", "K C"],
            },
            Name {
                native: "राई",
                romanised: &["Rai", "Ray"],
            },
            Name {
                native: "अधिकारी",
                romanised: &["Adhikari", "Adhikary"],
            },
            Name {
                native: "पौडेल",
                romanised: &["Poudel", "Paudel", "Paudyal", "Poudyal"],
            },
            Name {
                native: "भट्टराई",
                romanised: &["Bhattarai", "Bhatterai", "Bhattrai"],
            },
            Name {
                native: "खड्का",
                romanised: &["Khadka", "Khadga"],
            },
            Name {
                native: "कार्की",
                romanised: &["Karki", "Karkee"],
            },
            Name {
                native: "घिमिरे",
                romanised: &["Ghimire", "Ghimiray"],
            },
            Name {
                native: "बस्नेत",
                romanised: &["Basnet", "Basnyat", "Basnett"],
            },
        ],
    },
    // ------------------------------------------------------------------
    // Nigerian (Yoruba). Native form with tone marks and subdots; Nigerian
    // passports and every foreign register hold the plain ASCII form, and
    // ṣ is sometimes written sh.
    // ------------------------------------------------------------------
    Origin {
        code: "yo",
        nationalities: &["NGA"],
        script: Script::Latin,
        family_name_first: false,
        weight: 2,
        given_male: &[
            Name {
                native: "Adébáyọ̀",
                romanised: &["Adébáyọ̀", "Adebayo"],
            },
            Name {
                native: "Adéwálé",
                romanised: &["Adéwálé", "Adewale"],
            },
            Name {
                native: "Babátúndé",
                romanised: &["Babátúndé", "Babatunde"],
            },
            Name {
                native: "Olúwaṣeun",
                romanised: &["Olúwaṣeun", "Oluwaseun", "Oluwasheun"],
            },
            Name {
                native: "Olúṣẹ́gun",
                romanised: &["Olúṣẹ́gun", "Olusegun", "Olushegun"],
            },
            Name {
                native: "Kẹ́hìndé",
                romanised: &["Kẹ́hìndé", "Kehinde"],
            },
            Name {
                native: "Táíwò",
                romanised: &["Táíwò", "Taiwo"],
            },
            Name {
                native: "Ayọ̀délé",
                romanised: &["Ayọ̀délé", "Ayodele"],
            },
            Name {
                native: "Ọláwálé",
                romanised: &["Ọláwálé", "Olawale"],
            },
            Name {
                native: "Adémọ́lá",
                romanised: &["Adémọ́lá", "Ademola"],
            },
        ],
        given_female: &[
            Name {
                native: "Fúnmiláyọ̀",
                romanised: &["Fúnmiláyọ̀", "Funmilayo"],
            },
            Name {
                native: "Fọláṣadé",
                romanised: &["Fọláṣadé", "Folasade", "Folashade"],
            },
            Name {
                native: "Tèmítọ́pẹ́",
                romanised: &["Tèmítọ́pẹ́", "Temitope"],
            },
            Name {
                native: "Adéọlá",
                romanised: &["Adéọlá", "Adeola"],
            },
            Name {
                native: "Bùkọ́lá",
                romanised: &["Bùkọ́lá", "Bukola"],
            },
            Name {
                native: "Yétúndé",
                romanised: &["Yétúndé", "Yetunde"],
            },
            Name {
                native: "Mọ́túnráyọ̀",
                romanised: &["Mọ́túnráyọ̀", "Motunrayo"],
            },
            Name {
                native: "Ìyábọ̀",
                romanised: &["Ìyábọ̀", "Iyabo"],
            },
            Name {
                native: "Adérónkẹ́",
                romanised: &["Adérónkẹ́", "Aderonke"],
            },
            Name {
                native: "Ọláyínká",
                romanised: &["Ọláyínká", "Olayinka"],
            },
        ],
        family: &[
            Name {
                native: "Adéyẹmí",
                romanised: &["Adéyẹmí", "Adeyemi"],
            },
            Name {
                native: "Àjàyí",
                romanised: &["Àjàyí", "Ajayi"],
            },
            Name {
                native: "Ọlátúnjí",
                romanised: &["Ọlátúnjí", "Olatunji"],
            },
            Name {
                native: "Adélékè",
                romanised: &["Adélékè", "Adeleke"],
            },
            Name {
                native: "Afọlábí",
                romanised: &["Afọlábí", "Afolabi"],
            },
            Name {
                native: "Akínọlá",
                romanised: &["Akínọlá", "Akinola"],
            },
            Name {
                native: "Adékúnlé",
                romanised: &["Adékúnlé", "Adekunle"],
            },
            Name {
                native: "Fáṣọlá",
                romanised: &["Fáṣọlá", "Fashola", "Fasola"],
            },
            Name {
                native: "Ọládipọ̀",
                romanised: &["Ọládipọ̀", "Oladipo"],
            },
            Name {
                native: "Ògúnbíyì",
                romanised: &["Ògúnbíyì", "Ogunbiyi"],
            },
            Name {
                native: "Àkàndé",
                romanised: &["Àkàndé", "Akande"],
            },
            Name {
                native: "Adébáyọ̀",
                romanised: &["Adébáyọ̀", "Adebayo"],
            },
        ],
    },
];
