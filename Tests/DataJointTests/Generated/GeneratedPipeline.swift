// Swift declarations of the schema `pipeline`, written by `dj codegen` from the database.
// Every definition is the table's own (`describe()`): declaring these types changes nothing.

import DataJoint
import Foundation

/// The tables of the schema `pipeline`.
enum GeneratedPipeline {
    /// The schema's name in the database.
    static let schemaName = "pipeline"

    /// The tables in dependency order (parts are declared with their masters), for
    /// `db.schema(GeneratedPipeline.schemaName, tables: GeneratedPipeline.tables)`.
    static let tables: [any UserTable.Type] = [
        Kind.self,
        Device.self,
        Subject.self,
        Pair.self,
        Session.self,
        Recording.self,
        SessionStats.self,
    ]

    /// `#kind`: kinds of things
    struct Kind: Lookup {
        static let definition = """
            # kinds of things
            kind                 : varchar(16)  # kind name
            ---
            description = ""     : varchar(255)  # what it "is"
            rank = 0             : int16
            """

        /// A row of `#kind`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var kind: String
            var description: String
            var rank: Int16
        }
    }

    /// `device`: recording device
    struct Device: Manual {
        static let definition = """
            # recording device
            device               : char(8)  # serial number
            ---
            model = "M-1"        : varchar(32)
            price = 9.99         : decimal(8,2)
            """

        /// A row of `device`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var device: String
            var model: String
            var price: Decimal
        }
    }

    /// `subject`: a subject with every core type
    struct Subject: Manual {
        static let definition = """
            # a subject with every core type
            subject_id           : int64  # big id
            ---
            i8                   : int8
            i16                  : int16
            i32                  : int32
            f32                  : float32
            f64                  : float64
            flag = true          : bool
            amount               : decimal(20,6)
            code                 : char(3)
            label                : varchar(255)  # any text
            color = "red"        : enum('red', 'green', 'it''s')
            day                  : date
            moment               : datetime
            moment_ms            : datetime(3)
            doc                  : json
            token = null         : uuid
            payload              : bytes
            note = null          : varchar(64)  # optional note
            -> [nullable] Kind
            """

        /// A row of `subject`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var subject_id: Int64
            var i8: Int8
            var i16: Int16
            var i32: Int32
            var f32: Float
            var f64: Double
            var flag: Bool
            var amount: Decimal
            var code: String
            var label: String
            var color: String
            var day: CalendarDate
            var moment: DateTime
            var moment_ms: DateTime
            var doc: JSON
            var token: UUID?
            var payload: Data
            var note: String?
            var kind: String?
        }
    }

    /// `pair`: two subjects that interact
    struct Pair: Manual {
        static let definition = """
            # two subjects that interact
            -> Subject
            -> Subject.proj(partner_id='subject_id')
            ---
            strength = null      : float32
            """

        /// A row of `pair`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var subject_id: Int64
            var partner_id: Int64
            var strength: Float?
        }
    }

    /// `session`: recording session
    struct Session: Manual {
        static let definition = """
            # recording session
            -> Subject
            session_idx          : int16
            ---
            -> [unique] Device
            started = CURRENT_TIMESTAMP : datetime(3)
            quality = "good"     : enum('good', 'bad')
            index(quality)
            """

        /// A row of `session`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var subject_id: Int64
            var session_idx: Int16
            var device: String
            var started: DateTime
            var quality: String
        }
    }

    /// `recording`: raw data of a session
    struct Recording: Manual {
        static let definition = """
            # raw data of a session
            -> Session
            ---
            signal               : <blob>  # numeric array
            meta = null          : <blob>  # nested structure
            doc                  : <attach>  # attached file
            """

        /// A row of `recording`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var subject_id: Int64
            var session_idx: Int16
            // Not in the record (fetch them as values): signal (<blob>), meta (<blob>), doc (<attach>)
        }
    }

    /// `__session_stats`: statistics of a recording
    struct SessionStats: Computed {
        static let definition = """
            # statistics of a recording
            -> Recording
            ---
            n_items              : int32
            total = null         : float64
            """
        static var parts: [any Part.Type] { [Item.self] }

        /// Generated from the database, which does not hold the computation: write it here to populate.
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            throw DataJointError(.notAllowed, "GeneratedPipeline.SessionStats was generated by dj codegen and has no make yet")
        }

        /// A row of `__session_stats`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var subject_id: Int64
            var session_idx: Int16
            var n_items: Int32
            var total: Double?
        }

        /// `__session_stats__item`
        struct Item: Part {
            static let definition = """
                -> SessionStats
                item_idx             : int16
                ---
                value                : float64
                """

            /// A row of `__session_stats__item`, for `fetch(as: Record.self)`.
            struct Record: Codable, Sendable, Hashable {
                var subject_id: Int64
                var session_idx: Int16
                var item_idx: Int16
                var value: Double
            }
        }
    }
}
