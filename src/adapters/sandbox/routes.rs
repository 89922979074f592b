//! Links between provinces: direct services and two-leg connections. Data only;
//! [`super::world`] holds what they connect.

/// Direct departures of one operator between two provinces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    pub operator: i64,
    pub vehclass: &'static str,
    pub classes: &'static [i64],
    pub daily: u8,
    pub minutes: i64,
    /// Base net fare in whole units of the service currency.
    pub fare: i64,
}

/// One leg of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leg {
    pub operator: i64,
    pub vehclass: &'static str,
    pub class: i64,
    pub minutes: i64,
    pub fare: i64,
}

/// Two legs through `via` with a wait between them. Both legs must price in the
/// same currency (the option has one price).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    pub via: i64,
    /// Leg from the link's `a` side towards `via`; reversed for the other direction.
    pub first: Leg,
    pub second: Leg,
    pub wait: i64,
    pub daily: u8,
    pub guaranteed: bool,
}

/// Everything running between provinces `a` and `b`, in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub a: i64,
    pub b: i64,
    pub services: &'static [Service],
    pub connections: &'static [Connection],
}

#[rustfmt::skip]
const fn svc(operator: i64, vehclass: &'static str, classes: &'static [i64], daily: u8, minutes: i64, fare: i64) -> Service {
    Service { operator, vehclass, classes, daily, minutes, fare }
}

#[rustfmt::skip]
const fn leg(operator: i64, vehclass: &'static str, class: i64, minutes: i64, fare: i64) -> Leg {
    Leg { operator, vehclass, class, minutes, fare }
}

#[rustfmt::skip]
pub static LINKS: &[Link] = &[
    Link {
        a: 1,
        b: 44,
        services: &[
            svc(16779, "train", &[16, 15, 5894], 3, 720, 300),
            svc(231, "bus", &[4, 7], 5, 600, 500),
            svc(2245, "bus", &[7, 3129], 5, 580, 550),
            svc(1754, "bus", &[3, 6], 4, 620, 520),
            svc(30461, "bus", &[7923], 4, 610, 600),
            svc(50197, "minivan", &[7525], 4, 560, 600),
            svc(40424, "van", &[8], 2, 540, 45),
            svc(1, "avia", &[21], 6, 70, 35),
            svc(4, "avia", &[21], 4, 75, 33),
            svc(5, "avia", &[21, 22], 4, 70, 52),
            svc(102, "avia", &[21], 3, 75, 68),
        ],
        connections: &[
            Connection { via: 7001, first: leg(231, "bus", 7, 270, 260), second: leg(50197, "minivan", 7525, 300, 320), wait: 90, daily: 3, guaranteed: false },
            Connection { via: 5943, first: leg(4, "avia", 21, 65, 25), second: leg(4, "avia", 21, 70, 22), wait: 70, daily: 2, guaranteed: true },
        ],
    },
    Link {
        a: 1,
        b: 46,
        services: &[
            svc(231, "bus", &[4, 7], 4, 300, 280),
            svc(50197, "minivan", &[7525], 3, 290, 330),
            svc(4, "avia", &[21], 2, 65, 25),
        ],
        connections: &[],
    },
    Link { a: 46, b: 44, services: &[svc(50197, "minivan", &[7525], 4, 300, 320), svc(2245, "bus", &[7], 3, 320, 300)], connections: &[] },
    Link {
        a: 1,
        b: 60,
        services: &[
            svc(231, "bus", &[4, 7], 3, 840, 650),
            svc(2245, "bus", &[3129], 2, 820, 950),
            svc(1, "avia", &[21], 6, 85, 40),
            svc(5, "avia", &[21, 22], 4, 85, 55),
            svc(102, "avia", &[21], 3, 85, 75),
        ],
        connections: &[],
    },
    Link { a: 1, b: 61, services: &[svc(16779, "train", &[15, 5894], 3, 720, 450), svc(231, "bus", &[4], 2, 660, 500)], connections: &[] },
    Link {
        a: 1,
        b: 62,
        services: &[svc(102, "avia", &[21], 5, 70, 120)],
        connections: &[Connection { via: 7202, first: leg(12804, "bus", 9, 660, 700), second: leg(12804, "ferry", 10, 90, 450), wait: 45, daily: 2, guaranteed: true }],
    },
    Link { a: 61, b: 62, services: &[svc(12804, "ferry", &[10], 5, 90, 450), svc(13981, "ferry", &[11], 4, 120, 280)], connections: &[] },
    Link {
        a: 60,
        b: 62,
        services: &[svc(102, "avia", &[21], 2, 55, 95)],
        connections: &[Connection { via: 7202, first: leg(12804, "van", 9, 300, 500), second: leg(12804, "ferry", 10, 90, 450), wait: 40, daily: 2, guaranteed: true }],
    },
    Link { a: 60, b: 63, services: &[svc(13981, "ferry", &[11], 3, 120, 450), svc(13982, "ferry", &[10, 11], 4, 90, 600)], connections: &[] },
    Link { a: 44, b: 60, services: &[svc(1, "avia", &[21], 3, 125, 60)], connections: &[] },
    Link {
        a: 200,
        b: 201,
        services: &[
            svc(60001, "train", &[30, 31], 10, 150, 14000),
            svc(60003, "bus", &[32, 33], 3, 480, 4800),
            svc(60004, "avia", &[21], 4, 75, 9000),
            svc(60005, "avia", &[21, 22], 5, 70, 15000),
        ],
        connections: &[],
    },
    Link {
        a: 300,
        b: 301,
        services: &[
            svc(70001, "train", &[40, 41], 3, 1950, 1_200_000),
            svc(70002, "bus", &[42], 3, 2150, 950_000),
            svc(70003, "avia", &[21], 6, 130, 1_400_000),
            svc(70004, "avia", &[21, 22], 5, 130, 85),
        ],
        connections: &[],
    },
    Link { a: 1, b: 200, services: &[svc(6, "avia", &[21, 22], 2, 360, 420), svc(60005, "avia", &[21, 22], 2, 355, 62000)], connections: &[] },
    Link {
        a: 1,
        b: 300,
        services: &[svc(1, "avia", &[21], 3, 120, 95), svc(6, "avia", &[21, 22], 2, 115, 160), svc(70004, "avia", &[21], 2, 115, 140)],
        connections: &[],
    },
    Link { a: 1, b: 301, services: &[svc(1, "avia", &[21], 4, 90, 80), svc(70004, "avia", &[21, 22], 2, 95, 120)], connections: &[] },
];

/// The link between two provinces and whether it is travelled `a → b` (`true`) or reversed.
pub fn link(from_province: i64, to_province: i64) -> Option<(&'static Link, bool)> {
    LINKS.iter().find_map(|l| {
        if (l.a, l.b) == (from_province, to_province) {
            Some((l, true))
        } else if (l.b, l.a) == (from_province, to_province) {
            Some((l, false))
        } else {
            None
        }
    })
}
