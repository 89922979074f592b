//! The sandbox's static world: provinces, stations, operators, seat classes and the
//! links (services and two-leg connections) between provinces. Plain data, so that
//! search, master data and booking can all be served consistently from it.

use rust_decimal::Decimal;
use std::str::FromStr;

pub use super::routes::{link, Connection, Leg, Link, Service, LINKS};

/// What a station can serve; a service runs only between stations of its mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Bus,
    Van,
    Train,
    Ferry,
    Avia,
}

impl Mode {
    /// From a 12go vehicle class.
    pub fn of_vehclass(vehclass: &str) -> Option<Self> {
        match vehclass {
            "bus" => Some(Self::Bus),
            "van" | "minivan" => Some(Self::Van),
            "train" => Some(Self::Train),
            "ferry" => Some(Self::Ferry),
            "avia" => Some(Self::Avia),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    pub id: i64,
    pub name: &'static str,
    /// ISO 3166 alpha-2; also the first two characters of trip keys from here.
    pub country: &'static str,
    pub currency: &'static str,
    pub parent: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Station {
    pub id: i64,
    pub province: i64,
    pub name: &'static str,
    pub code: &'static str,
    pub slug: &'static str,
    pub lat: &'static str,
    pub lng: &'static str,
    pub modes: &'static [Mode],
}

impl Station {
    pub fn lat(&self) -> Option<Decimal> {
        Decimal::from_str(self.lat).ok()
    }
    pub fn lng(&self) -> Option<Decimal> {
        Decimal::from_str(self.lng).ok()
    }
    pub fn serves(&self, mode: Mode) -> bool {
        self.modes.contains(&mode)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub id: i64,
    pub name: &'static str,
    pub slug: &'static str,
    pub vehclasses: &'static [&'static str],
    /// Prices in this currency; `None` = the origin province's currency.
    pub currency: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatClass {
    pub id: i64,
    pub name: &'static str,
    /// Price relative to the service's base fare, in percent.
    pub price_pct: i64,
    pub amenities: &'static [&'static str],
}

#[rustfmt::skip]
const fn prov(id: i64, name: &'static str, country: &'static str, currency: &'static str, parent: Option<i64>) -> Province {
    Province { id, name, country, currency, parent }
}

#[rustfmt::skip]
pub static PROVINCES: &[Province] = &[
    prov(1, "Bangkok", "TH", "THB", None),
    prov(44, "Chiang Mai", "TH", "THB", None),
    prov(46, "Phitsanulok", "TH", "THB", None),
    prov(60, "Phuket", "TH", "THB", None),
    prov(61, "Surat Thani", "TH", "THB", None),
    prov(62, "Koh Samui", "TH", "THB", Some(61)),
    prov(63, "Koh Phi Phi", "TH", "THB", None),
    // A grandchild of Surat Thani (via Koh Samui) with no links: master data only.
    prov(64, "Koh Phangan", "TH", "THB", Some(62)),
    prov(200, "Tokyo", "JP", "JPY", None),
    prov(201, "Osaka", "JP", "JPY", None),
    prov(300, "Hanoi", "VN", "VND", None),
    prov(301, "Ho Chi Minh City", "VN", "VND", None),
];

use Mode::{Avia, Bus, Ferry, Train, Van};
const ROAD: &[Mode] = &[Bus, Van];
const AIR: &[Mode] = &[Avia];
const RAIL: &[Mode] = &[Train];
const SEA: &[Mode] = &[Ferry];

#[rustfmt::skip]
#[allow(clippy::too_many_arguments)]
const fn st(
    id: i64, province: i64, name: &'static str, code: &'static str, slug: &'static str,
    lat: &'static str, lng: &'static str, modes: &'static [Mode],
) -> Station {
    Station { id, province, name, code, slug, lat, lng, modes }
}

#[rustfmt::skip]
pub static STATIONS: &[Station] = &[
    st(3, 1, "Bangkok Hua Lamphong Train Station", "HLP", "bangkok-hua-lamphong", "13.7373", "100.5169", RAIL),
    st(4055, 1, "Bangkok Mo Chit Bus Terminal", "MOC", "bangkok-mo-chit", "13.8130", "100.5480", ROAD),
    st(5936, 1, "Don Mueang Airport", "DMK", "don-mueang-airport", "13.9126", "100.6068", AIR),
    st(5937, 1, "Suvarnabhumi Airport", "BKK", "suvarnabhumi-airport", "13.6900", "100.7501", AIR),
    st(4, 44, "Chiang Mai Train Station", "CMT", "chiang-mai-train-station", "18.7849", "99.0170", RAIL),
    st(5133, 44, "Chiang Mai Arcade Bus Terminal 2", "CMA2", "chiang-mai-arcade-2", "18.8036", "99.0186", ROAD),
    st(11553, 44, "Chiang Mai Arcade Bus Terminal 3", "CMA3", "chiang-mai-arcade-3", "18.8021", "99.0203", ROAD),
    st(5939, 44, "Chiang Mai Airport", "CNX", "chiang-mai-airport", "18.7668", "98.9626", AIR),
    st(7001, 46, "Phitsanulok Bus Terminal 2", "PLB", "phitsanulok-bus-terminal-2", "16.8150", "100.2780", ROAD),
    st(5943, 46, "Phitsanulok Airport", "PHS", "phitsanulok-airport", "16.7829", "100.2790", AIR),
    st(7101, 60, "Phuket Bus Terminal 2", "PKB", "phuket-bus-terminal-2", "7.9136", "98.3880", ROAD),
    st(7102, 60, "Phuket Airport", "HKT", "phuket-airport", "8.1132", "98.3169", AIR),
    st(7103, 60, "Phuket Rassada Pier", "RSD", "phuket-rassada-pier", "7.8580", "98.4020", SEA),
    st(7201, 61, "Surat Thani Phun Phin Station", "SRT", "surat-thani-phun-phin", "9.1130", "99.2290", &[Train, Bus]),
    st(7202, 61, "Donsak Pier", "DSK", "donsak-pier", "9.3170", "99.6960", &[Ferry, Bus, Van]),
    st(7301, 62, "Koh Samui Nathon Pier", "NTP", "koh-samui-nathon-pier", "9.5340", "99.9350", SEA),
    st(7302, 62, "Samui Airport", "USM", "samui-airport", "9.5478", "100.0623", AIR),
    st(7401, 63, "Koh Phi Phi Tonsai Pier", "TSP", "koh-phi-phi-tonsai-pier", "7.7383", "98.7710", SEA),
    st(7501, 64, "Koh Phangan Thong Sala Pier", "TSL", "koh-phangan-thong-sala-pier", "9.7110", "99.9870", SEA),
    st(8001, 200, "Tokyo Station", "TYO", "tokyo-station", "35.6812", "139.7671", RAIL),
    st(8002, 200, "Tokyo Haneda Airport", "HND", "tokyo-haneda-airport", "35.5494", "139.7798", AIR),
    st(8003, 200, "Tokyo Narita Airport", "NRT", "tokyo-narita-airport", "35.7720", "140.3929", AIR),
    st(8004, 200, "Busta Shinjuku", "BSJ", "busta-shinjuku", "35.6885", "139.7007", ROAD),
    st(8101, 201, "Shin-Osaka Station", "SOS", "shin-osaka-station", "34.7334", "135.5002", RAIL),
    st(8102, 201, "Osaka Umeda Bus Terminal", "UMB", "osaka-umeda-bus-terminal", "34.7055", "135.4983", ROAD),
    st(8103, 201, "Kansai Airport", "KIX", "kansai-airport", "34.4320", "135.2304", AIR),
    st(9001, 300, "Hanoi Railway Station", "HNR", "hanoi-railway-station", "21.0245", "105.8412", RAIL),
    st(9002, 300, "Hanoi Noi Bai Airport", "HAN", "hanoi-noi-bai-airport", "21.2212", "105.8072", AIR),
    st(9003, 300, "Hanoi My Dinh Bus Station", "MDB", "hanoi-my-dinh", "21.0288", "105.7780", ROAD),
    st(9101, 301, "Saigon Railway Station", "SGR", "saigon-railway-station", "10.7821", "106.6776", RAIL),
    st(9102, 301, "Tan Son Nhat Airport", "SGN", "tan-son-nhat-airport", "10.8185", "106.6588", AIR),
    st(9103, 301, "Mien Dong Bus Station", "MDS", "mien-dong-bus-station", "10.8140", "106.7110", ROAD),
];

#[rustfmt::skip]
const fn op(id: i64, name: &'static str, slug: &'static str, vehclasses: &'static [&'static str], currency: Option<&'static str>) -> Operator {
    Operator { id, name, slug, vehclasses, currency }
}

#[rustfmt::skip]
pub static OPERATORS: &[Operator] = &[
    op(16779, "State Railway of Thailand", "srt", &["train"], None),
    op(231, "Transport Co. Ltd", "transport-co", &["bus"], None),
    op(2245, "Nakhonchai Air", "nakhonchai-air", &["bus"], None),
    op(1754, "Green Bus Thailand", "green-bus", &["bus"], None),
    op(30461, "Sombat Tour", "sombat-tour", &["bus"], None),
    op(50197, "Siam Van Express", "siam-van-express", &["minivan"], None),
    op(40424, "EuroAsia Transfers", "euroasia-transfers", &["van"], Some("EUR")),
    op(12804, "Lomprayah", "lomprayah", &["bus", "van", "ferry"], None),
    op(13981, "Seatran Discovery", "seatran-discovery", &["ferry"], None),
    op(13982, "Phi Phi Cruiser", "phi-phi-cruiser", &["ferry"], None),
    op(1, "Thai AirAsia", "thai-airasia", &["avia"], Some("USD")),
    op(4, "Nok Air", "nok-air", &["avia"], Some("USD")),
    op(5, "Thai Smile", "thai-smile", &["avia"], Some("USD")),
    op(6, "Thai Airways", "thai-airways", &["avia"], Some("USD")),
    op(102, "Bangkok Airways", "bangkok-airways", &["avia"], Some("USD")),
    op(60001, "JR Central", "jr-central", &["train"], None),
    op(60003, "Willer Express", "willer-express", &["bus"], None),
    op(60004, "Peach Aviation", "peach-aviation", &["avia"], None),
    op(60005, "ANA", "ana", &["avia"], Some("JPY")),
    op(70001, "Vietnam Railways", "vietnam-railways", &["train"], None),
    op(70002, "Phuong Trang", "phuong-trang", &["bus"], None),
    op(70003, "VietJet Air", "vietjet-air", &["avia"], None),
    op(70004, "Vietnam Airlines", "vietnam-airlines", &["avia"], Some("USD")),
];

#[rustfmt::skip]
const fn class(id: i64, name: &'static str, price_pct: i64, amenities: &'static [&'static str]) -> SeatClass {
    SeatClass { id, name, price_pct, amenities }
}

#[rustfmt::skip]
pub static SEAT_CLASSES: &[SeatClass] = &[
    class(16, "Class 3 Fan", 100, &["WC"]),
    class(15, "Class 2 Sleeper Aircon", 190, &["WC", "Aircon"]),
    class(5894, "Class 1 Sleeper", 380, &["WC", "Aircon", "Steward"]),
    class(4, "VIP", 130, &["WC", "Aircon", "TV", "Snack"]),
    class(7, "Express", 100, &["WC", "Aircon"]),
    class(3, "VIP 24", 160, &["WC", "Aircon", "TV", "Food", "Steward"]),
    class(6, "Express", 95, &["Aircon"]),
    class(3129, "Super VIP", 175, &["WC", "Aircon", "TV", "Food", "Steward", "WiFi"]),
    class(7923, "Bus VIP24", 165, &["WC", "Aircon", "TV", "Snack", "Steward"]),
    class(7525, "Minivan", 100, &["Aircon"]),
    class(8, "Standard", 100, &["Aircon", "WiFi"]),
    class(9, "Joint Ticket", 100, &["Aircon", "Snack"]),
    class(10, "High Speed Catamaran", 100, &["WC", "Aircon", "Snack"]),
    class(11, "Ferry Standard", 100, &["WC", "Snack"]),
    class(21, "Economy", 100, &["Snack"]),
    class(22, "Business", 320, &["Food", "Steward", "WiFi"]),
    class(30, "Ordinary Car", 100, &["WC", "WiFi"]),
    class(31, "Green Car", 150, &["WC", "WiFi", "Snack"]),
    class(32, "Standard Bus", 100, &["WC", "WiFi"]),
    class(33, "Relax Seat", 140, &["WC", "WiFi", "Aircon"]),
    class(40, "Soft Sleeper", 100, &["WC", "Aircon"]),
    class(41, "Soft Seat", 60, &["WC", "Aircon"]),
    class(42, "Sleeper Bus", 100, &["WC", "Aircon", "WiFi"]),
];

pub fn province(id: i64) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.id == id)
}

pub fn station(id: i64) -> Option<&'static Station> {
    STATIONS.iter().find(|s| s.id == id)
}

pub fn operator(id: i64) -> Option<&'static Operator> {
    OPERATORS.iter().find(|o| o.id == id)
}

pub fn seat_class(id: i64) -> Option<&'static SeatClass> {
    SEAT_CLASSES.iter().find(|c| c.id == id)
}

/// Stations of one province (not of its child provinces), in world order.
pub fn stations_in(province: i64) -> impl Iterator<Item = &'static Station> {
    STATIONS.iter().filter(move |s| s.province == province)
}

/// The currency an operator prices a departure from `origin_province` in.
pub fn currency_of(operator: &Operator, origin_province: &Province) -> &'static str {
    operator.currency.unwrap_or(origin_province.currency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_references_resolve() {
        let ids = |v: Vec<i64>| v.iter().copied().collect::<HashSet<_>>().len() == v.len();
        assert!(ids(PROVINCES.iter().map(|p| p.id).collect()));
        assert!(ids(STATIONS.iter().map(|s| s.id).collect()));
        assert!(ids(OPERATORS.iter().map(|o| o.id).collect()));
        assert!(ids(SEAT_CLASSES.iter().map(|c| c.id).collect()));
        for s in STATIONS {
            assert!(province(s.province).is_some(), "{}", s.id);
            assert!(s.lat().is_some() && s.lng().is_some(), "{}", s.id);
        }
        for p in PROVINCES {
            assert!(p.parent.is_none_or(|id| province(id).is_some()));
        }
        let check = |op_id: i64, vehclass: &str, class_id: i64| {
            let o = operator(op_id).unwrap();
            assert!(o.vehclasses.contains(&vehclass), "{op_id} {vehclass}");
            assert!(Mode::of_vehclass(vehclass).is_some());
            assert!(seat_class(class_id).is_some(), "{class_id}");
        };
        for l in LINKS {
            assert!(province(l.a).is_some() && province(l.b).is_some());
            for s in l.services {
                s.classes
                    .iter()
                    .for_each(|c| check(s.operator, s.vehclass, *c));
            }
            for c in l.connections {
                check(c.first.operator, c.first.vehclass, c.first.class);
                check(c.second.operator, c.second.vehclass, c.second.class);
                assert!(station(c.via).is_some());
            }
        }
    }

    #[test]
    fn the_reference_places_exist() {
        let in_prov = |p: i64| stations_in(p).map(|s| s.id).collect::<Vec<_>>();
        assert!([3, 4055].iter().all(|s| in_prov(1).contains(s)));
        assert!([4, 5133, 11553].iter().all(|s| in_prov(44).contains(s)));
        assert_eq!(province(1).map(|p| p.name), Some("Bangkok"));
        assert_eq!(province(44).map(|p| p.name), Some("Chiang Mai"));
        assert_eq!(link(44, 1).map(|(l, fwd)| (l.a, fwd)), Some((1, false)));
    }
}
