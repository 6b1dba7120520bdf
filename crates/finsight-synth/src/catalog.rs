//! The vocabulary of the synthetic world: regions, cities, people's names,
//! merchants with their merchant category codes, and subscriptions.

/// Where a user lives: sets currency, merchants, cities, bank text style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Us,
    Euro,
    Uk,
}

impl Region {
    pub fn currency(self) -> &'static str {
        match self {
            Region::Us => "USD",
            Region::Euro => "EUR",
            Region::Uk => "GBP",
        }
    }

    /// Rough price level against USD, so a euro user's coffee costs euros.
    pub fn price_factor(self) -> f64 {
        match self {
            Region::Us => 1.0,
            Region::Euro => 0.92,
            Region::Uk => 0.80,
        }
    }

    fn bit(self) -> u8 {
        match self {
            Region::Us => US,
            Region::Euro => EU,
            Region::Uk => UK,
        }
    }
}

const US: u8 = 1;
const EU: u8 = 2;
const UK: u8 = 4;
const ALL: u8 = US | EU | UK;

/// A city as a bank prints it, with its UTC offset in hours (standard time).
#[derive(Debug, Clone, Copy)]
pub struct City {
    pub name: &'static str,
    pub printed: &'static str,
    pub utc_offset_hours: i8,
    pub region: Region,
}

pub const CITIES: &[City] = &[
    City {
        name: "San Francisco",
        printed: "SAN FRANCISCO CA",
        utc_offset_hours: -8,
        region: Region::Us,
    },
    City {
        name: "Seattle",
        printed: "SEATTLE WA",
        utc_offset_hours: -8,
        region: Region::Us,
    },
    City {
        name: "Denver",
        printed: "DENVER CO",
        utc_offset_hours: -7,
        region: Region::Us,
    },
    City {
        name: "Austin",
        printed: "AUSTIN TX",
        utc_offset_hours: -6,
        region: Region::Us,
    },
    City {
        name: "Chicago",
        printed: "CHICAGO IL",
        utc_offset_hours: -6,
        region: Region::Us,
    },
    City {
        name: "Brooklyn",
        printed: "BROOKLYN NY",
        utc_offset_hours: -5,
        region: Region::Us,
    },
    City {
        name: "Boston",
        printed: "BOSTON MA",
        utc_offset_hours: -5,
        region: Region::Us,
    },
    City {
        name: "Berlin",
        printed: "BERLIN",
        utc_offset_hours: 1,
        region: Region::Euro,
    },
    City {
        name: "Paris",
        printed: "PARIS",
        utc_offset_hours: 1,
        region: Region::Euro,
    },
    City {
        name: "Amsterdam",
        printed: "AMSTERDAM",
        utc_offset_hours: 1,
        region: Region::Euro,
    },
    City {
        name: "Madrid",
        printed: "MADRID",
        utc_offset_hours: 1,
        region: Region::Euro,
    },
    City {
        name: "Milan",
        printed: "MILANO",
        utc_offset_hours: 1,
        region: Region::Euro,
    },
    City {
        name: "London",
        printed: "LONDON",
        utc_offset_hours: 0,
        region: Region::Uk,
    },
    City {
        name: "Manchester",
        printed: "MANCHESTER",
        utc_offset_hours: 0,
        region: Region::Uk,
    },
    City {
        name: "Bristol",
        printed: "BRISTOL",
        utc_offset_hours: 0,
        region: Region::Uk,
    },
];

/// Holiday destinations abroad, printed with a country code.
pub const DESTINATIONS: &[(&str, &str, i8)] = &[
    ("LISBOA", "PT", 0),
    ("BARCELONA", "ES", 1),
    ("ROMA", "IT", 1),
    ("CANCUN", "MX", -5),
    ("TOKYO", "JP", 9),
    ("REYKJAVIK", "IS", 0),
    ("NEW YORK NY", "US", -5),
    ("ATHINA", "GR", 2),
];

/// Countries where nobody in the synthetic world ever shops: the "new
/// merchant in a new country" anomaly happens there.
pub const FRAUD_LOCATIONS: &[(&str, &str)] = &[
    ("LAGOS", "NG"),
    ("BUCURESTI", "RO"),
    ("MANILA", "PH"),
    ("SAO PAULO", "BR"),
    ("KYIV", "UA"),
];

pub const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Felix", "Grace", "Hiro", "Ines", "Jamal", "Kira",
    "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Diego", "Emil", "Fatima",
];

pub const LAST_NAMES: &[&str] = &[
    "Lee",
    "Garcia",
    "Müller",
    "Smith",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Okafor",
    "Tanaka",
    "Novak",
    "Silva",
    "Johansson",
    "Patel",
    "Nguyen",
    "O'Brien",
    "Schmidt",
    "Moreau",
    "Costa",
    "Haddad",
    "Fischer",
    "Walker",
    "Jensen",
    "Ivanova",
    "Mensah",
];

/// What a merchant sells; picks the category and the shape of the charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Grocery,
    Restaurant,
    Coffee,
    FastFood,
    Delivery,
    Fuel,
    Transit,
    Rideshare,
    Parking,
    Pharmacy,
    Doctor,
    General,
    Online,
    Electronics,
    Clothing,
    Home,
    Entertainment,
    PersonalCare,
    Airline,
    Hotel,
    CarRental,
    CarRepair,
    Education,
    Charity,
    BusinessSupplies,
    BusinessServices,
    Advertising,
}

impl Kind {
    pub fn category(self) -> &'static str {
        match self {
            Kind::Grocery => "groceries",
            Kind::Restaurant => "dining.restaurants",
            Kind::Coffee => "dining.coffee",
            Kind::FastFood => "dining.fast_food",
            Kind::Delivery => "dining.delivery",
            Kind::Fuel => "transport.fuel",
            Kind::Transit => "transport.public_transit",
            Kind::Rideshare => "transport.rideshare",
            Kind::Parking => "transport.parking",
            Kind::Pharmacy => "health.pharmacy",
            Kind::Doctor => "health.doctor",
            Kind::General | Kind::Online => "shopping.general",
            Kind::Electronics => "shopping.electronics",
            Kind::Clothing => "shopping.clothing",
            Kind::Home => "shopping.home",
            Kind::Entertainment => "entertainment",
            Kind::PersonalCare => "personal_care",
            Kind::Airline => "travel.flights",
            Kind::Hotel => "travel.lodging",
            Kind::CarRental => "travel.car_rental",
            Kind::CarRepair => "transport.car_maintenance",
            Kind::Education => "education",
            Kind::Charity => "gifts_donations",
            Kind::BusinessSupplies => "business.supplies",
            Kind::BusinessServices => "business.services",
            Kind::Advertising => "business.advertising",
        }
    }
}

/// How a bank prints a merchant's charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `TRADER JOE S #552 SAN FRANCISCO CA`
    StoreNumber,
    /// `SQ *BLUE BOTTLE COFFEE 0423`
    Square,
    /// `TST* SHAKE SHACK 1021`
    Toast,
    /// `AMZN MKTP US*2K3L1`
    Amazon,
    /// `UBER *TRIP HELP.UBER.COM`
    Plain,
    /// `PAYPAL *ETSY INC`
    PayPal,
}

#[derive(Debug, Clone, Copy)]
pub struct Merchant {
    pub name: &'static str,
    pub printed: &'static str,
    pub mcc: u16,
    pub kind: Kind,
    pub style: Style,
    regions: u8,
}

impl Merchant {
    pub fn serves(&self, region: Region) -> bool {
        self.regions & region.bit() != 0
    }
}

macro_rules! merchants {
    ($(($name:literal, $printed:literal, $mcc:literal, $kind:ident, $style:ident, $regions:expr)),* $(,)?) => {
        &[$(Merchant { name: $name, printed: $printed, mcc: $mcc, kind: Kind::$kind, style: Style::$style, regions: $regions }),*]
    };
}

pub const MERCHANTS: &[Merchant] = merchants![
    (
        "Trader Joe's",
        "TRADER JOE S",
        5411,
        Grocery,
        StoreNumber,
        US
    ),
    (
        "Whole Foods Market",
        "WHOLEFDS MKT",
        5411,
        Grocery,
        StoreNumber,
        US
    ),
    ("Safeway", "SAFEWAY", 5411, Grocery, StoreNumber, US),
    ("Kroger", "KROGER", 5411, Grocery, StoreNumber, US),
    ("Costco", "COSTCO WHSE", 5300, Grocery, StoreNumber, US),
    ("Aldi", "ALDI", 5411, Grocery, StoreNumber, US | EU | UK),
    ("Lidl", "LIDL", 5411, Grocery, StoreNumber, EU | UK),
    ("REWE", "REWE MARKT", 5411, Grocery, StoreNumber, EU),
    (
        "Carrefour",
        "CARREFOUR MARKET",
        5411,
        Grocery,
        StoreNumber,
        EU
    ),
    (
        "Albert Heijn",
        "ALBERT HEIJN",
        5411,
        Grocery,
        StoreNumber,
        EU
    ),
    ("Tesco", "TESCO STORES", 5411, Grocery, StoreNumber, UK),
    (
        "Sainsbury's",
        "SAINSBURYS S/MKTS",
        5411,
        Grocery,
        StoreNumber,
        UK
    ),
    (
        "Blue Bottle Coffee",
        "BLUE BOTTLE COFFEE",
        5814,
        Coffee,
        Square,
        US
    ),
    ("Starbucks", "STARBUCKS", 5814, Coffee, StoreNumber, ALL),
    (
        "Pret A Manger",
        "PRET A MANGER",
        5814,
        Coffee,
        StoreNumber,
        UK | US
    ),
    ("Café Central", "CAFE CENTRAL", 5814, Coffee, Square, EU),
    ("Shake Shack", "SHAKE SHACK", 5814, FastFood, Toast, US | UK),
    ("McDonald's", "MCDONALD S", 5814, FastFood, StoreNumber, ALL),
    ("Chipotle", "CHIPOTLE", 5814, FastFood, StoreNumber, US),
    ("Nando's", "NANDOS", 5812, Restaurant, StoreNumber, UK),
    (
        "Osteria Da Mario",
        "OSTERIA DA MARIO",
        5812,
        Restaurant,
        Toast,
        ALL
    ),
    (
        "The Golden Lotus",
        "GOLDEN LOTUS RESTAURANT",
        5812,
        Restaurant,
        Square,
        ALL
    ),
    (
        "Sakura Sushi",
        "SAKURA SUSHI BAR",
        5812,
        Restaurant,
        Toast,
        ALL
    ),
    (
        "The Crown & Anchor",
        "CROWN AND ANCHOR",
        5813,
        Restaurant,
        Square,
        UK | US
    ),
    ("DoorDash", "DOORDASH", 5812, Delivery, Plain, US),
    ("Deliveroo", "DELIVEROO", 5812, Delivery, Plain, UK | EU),
    ("Uber Eats", "UBER *EATS", 5812, Delivery, Plain, ALL),
    ("Shell", "SHELL OIL", 5541, Fuel, StoreNumber, ALL),
    ("Chevron", "CHEVRON", 5541, Fuel, StoreNumber, US),
    ("Aral", "ARAL STATION", 5541, Fuel, StoreNumber, EU),
    ("BP", "BP", 5541, Fuel, StoreNumber, UK | EU),
    (
        "Metro Transit",
        "METRO TRANSIT FARE",
        4111,
        Transit,
        Plain,
        US
    ),
    (
        "Transport for London",
        "TFL TRAVEL CH",
        4111,
        Transit,
        Plain,
        UK
    ),
    ("BVG", "BVG TICKET", 4111, Transit, Plain, EU),
    (
        "Uber",
        "UBER *TRIP HELP.UBER.COM",
        4121,
        Rideshare,
        Plain,
        ALL
    ),
    ("Lyft", "LYFT *RIDE", 4121, Rideshare, Plain, US),
    ("ParkMobile", "PARKMOBILE", 7523, Parking, Plain, US),
    (
        "CVS Pharmacy",
        "CVS/PHARMACY",
        5912,
        Pharmacy,
        StoreNumber,
        US
    ),
    ("Walgreens", "WALGREENS", 5912, Pharmacy, StoreNumber, US),
    ("Boots", "BOOTS", 5912, Pharmacy, StoreNumber, UK),
    (
        "dm-drogerie markt",
        "DM FIL.",
        5912,
        Pharmacy,
        StoreNumber,
        EU
    ),
    (
        "City Dental Care",
        "CITY DENTAL CARE",
        8021,
        Doctor,
        Plain,
        ALL
    ),
    (
        "Family Medical Group",
        "FAMILY MEDICAL GROUP",
        8011,
        Doctor,
        Plain,
        ALL
    ),
    ("Target", "TARGET", 5310, General, StoreNumber, US),
    ("Walmart", "WAL-MART", 5310, General, StoreNumber, US),
    ("Amazon", "AMZN MKTP", 5942, Online, Amazon, ALL),
    ("Etsy", "ETSY INC", 5999, Online, PayPal, ALL),
    ("Best Buy", "BEST BUY", 5732, Electronics, StoreNumber, US),
    (
        "Apple Store",
        "APPLE STORE",
        5732,
        Electronics,
        StoreNumber,
        ALL
    ),
    (
        "MediaMarkt",
        "MEDIA MARKT",
        5732,
        Electronics,
        StoreNumber,
        EU
    ),
    ("Uniqlo", "UNIQLO", 5651, Clothing, StoreNumber, ALL),
    ("Zara", "ZARA", 5651, Clothing, StoreNumber, ALL),
    ("IKEA", "IKEA", 5712, Home, StoreNumber, ALL),
    (
        "The Home Depot",
        "THE HOME DEPOT",
        5200,
        Home,
        StoreNumber,
        US
    ),
    (
        "AMC Theatres",
        "AMC THEATRES",
        7832,
        Entertainment,
        StoreNumber,
        US
    ),
    (
        "Odeon Cinemas",
        "ODEON CINEMAS",
        7832,
        Entertainment,
        StoreNumber,
        UK
    ),
    (
        "Ticketmaster",
        "TICKETMASTER",
        7922,
        Entertainment,
        Plain,
        ALL
    ),
    ("Steam", "STEAMGAMES.COM", 5816, Entertainment, Plain, ALL),
    (
        "Great Clips",
        "GREAT CLIPS",
        7230,
        PersonalCare,
        StoreNumber,
        US
    ),
    (
        "Barber & Co",
        "BARBER AND CO",
        7230,
        PersonalCare,
        Square,
        UK | EU
    ),
    (
        "United Airlines",
        "UNITED AIRLINES",
        3000,
        Airline,
        Plain,
        US
    ),
    (
        "Delta Air Lines",
        "DELTA AIR LINES",
        3058,
        Airline,
        Plain,
        US
    ),
    ("Lufthansa", "LUFTHANSA", 3008, Airline, Plain, EU),
    (
        "British Airways",
        "BRITISH AIRWAYS",
        3005,
        Airline,
        Plain,
        UK
    ),
    ("easyJet", "EASYJET", 4511, Airline, Plain, EU | UK),
    ("Marriott", "MARRIOTT", 3509, Hotel, Plain, ALL),
    ("Airbnb", "AIRBNB * HMQ", 7011, Hotel, Plain, ALL),
    ("Booking.com", "BOOKING.COM", 4722, Hotel, Plain, EU | UK),
    ("Hertz", "HERTZ RENT-A-CAR", 3357, CarRental, Plain, ALL),
    (
        "Midas",
        "MIDAS AUTO SERVICE",
        7538,
        CarRepair,
        StoreNumber,
        US
    ),
    ("Kwik Fit", "KWIK FIT", 7538, CarRepair, StoreNumber, UK),
    ("ATU", "A.T.U AUTO-TEILE", 7538, CarRepair, StoreNumber, EU),
    ("Coursera", "COURSERA", 8299, Education, Plain, ALL),
    ("Red Cross", "AMERICAN RED CROSS", 8398, Charity, Plain, US),
    ("UNICEF", "UNICEF", 8398, Charity, Plain, EU | UK),
    (
        "Staples",
        "STAPLES",
        5111,
        BusinessSupplies,
        StoreNumber,
        US
    ),
    (
        "Viking Office",
        "VIKING DIRECT",
        5111,
        BusinessSupplies,
        Plain,
        EU | UK
    ),
    ("Upwork", "UPWORK", 7399, BusinessServices, Plain, ALL),
    ("Fiverr", "FIVERR", 7399, BusinessServices, PayPal, ALL),
    ("Google Ads", "GOOGLE *ADS", 7311, Advertising, Plain, ALL),
    ("Meta Ads", "FACEBK *ADS", 7311, Advertising, Plain, ALL),
];

/// A subscription: printed text, category, MCC, monthly price in USD and
/// the price it may rise to.
#[derive(Debug, Clone, Copy)]
pub struct Subscription {
    pub printed: &'static str,
    pub category: &'static str,
    pub mcc: u16,
    pub price_cents: i64,
    pub raised_cents: i64,
}

pub const SUBSCRIPTIONS: &[Subscription] = &[
    Subscription {
        printed: "NETFLIX.COM",
        category: "subscriptions.streaming",
        mcc: 4899,
        price_cents: 1549,
        raised_cents: 1799,
    },
    Subscription {
        printed: "DISNEY PLUS",
        category: "subscriptions.streaming",
        mcc: 4899,
        price_cents: 1399,
        raised_cents: 1599,
    },
    Subscription {
        printed: "HULU 877-8244858",
        category: "subscriptions.streaming",
        mcc: 4899,
        price_cents: 999,
        raised_cents: 1199,
    },
    Subscription {
        printed: "SPOTIFY P2A4C1",
        category: "subscriptions.music",
        mcc: 5815,
        price_cents: 1199,
        raised_cents: 1299,
    },
    Subscription {
        printed: "APPLE.COM/BILL",
        category: "subscriptions.software",
        mcc: 5818,
        price_cents: 299,
        raised_cents: 399,
    },
    Subscription {
        printed: "GOOGLE *YOUTUBE PREMIUM",
        category: "subscriptions.streaming",
        mcc: 4899,
        price_cents: 1399,
        raised_cents: 1599,
    },
    Subscription {
        printed: "ADOBE *CREATIVE CLOUD",
        category: "subscriptions.software",
        mcc: 5818,
        price_cents: 5999,
        raised_cents: 6999,
    },
    Subscription {
        printed: "DROPBOX*PLUS",
        category: "subscriptions.software",
        mcc: 5818,
        price_cents: 1199,
        raised_cents: 1199,
    },
    Subscription {
        printed: "OPENAI *CHATGPT SUBSCR",
        category: "subscriptions.software",
        mcc: 5818,
        price_cents: 2000,
        raised_cents: 2200,
    },
    Subscription {
        printed: "NYTIMES DIGITAL",
        category: "subscriptions.news",
        mcc: 5994,
        price_cents: 1700,
        raised_cents: 2500,
    },
    Subscription {
        printed: "PLANET FITNESS CLUB FEES",
        category: "health.fitness",
        mcc: 7997,
        price_cents: 2499,
        raised_cents: 2999,
    },
    Subscription {
        printed: "AUDIBLE*ADLT 2GX",
        category: "subscriptions.news",
        mcc: 5942,
        price_cents: 1495,
        raised_cents: 1495,
    },
];

pub const BANKS: &[&str] = &[
    "First Harbor Bank",
    "Northwind Credit Union",
    "Meridian Savings",
    "Blue Ridge Bank",
    "Lakeside Federal",
];

pub const EMPLOYERS: &[&str] = &[
    "ACME CORP",
    "GLOBEX INC",
    "INITECH LLC",
    "UMBRELLA HEALTH",
    "STARK INDUSTRIES",
    "WAYNE ENTERPRISES",
    "HOOLI",
    "CITY OF SPRINGFIELD",
    "NORTHWIND TRADERS",
    "CONTOSO LTD",
];

pub const CLIENTS: &[&str] = &[
    "BRIGHTLINE STUDIO",
    "PIXELWORKS GMBH",
    "OAKTREE MEDIA",
    "NOVA ANALYTICS",
    "REDWOOD LEGAL",
    "BLUEFIN LOGISTICS",
    "SUNRISE BAKERY",
    "KESTREL DESIGN",
];

pub const UTILITY_PROVIDERS: &[(&str, &str)] = &[
    ("PG&E WEB ONLINE", "utilities.electricity"),
    ("CITY WATER UTIL", "utilities.water"),
    ("COMCAST XFINITY", "utilities.internet"),
    ("T-MOBILE AUTOPAY", "utilities.phone"),
    ("NATIONAL GRID GAS", "utilities.gas"),
];
