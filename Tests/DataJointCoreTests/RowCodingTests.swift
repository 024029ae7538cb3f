import Foundation
import Testing

@testable import DataJointCore

private struct Recording: Codable, Equatable {
    var id: Int
    var channel: Int16
    var gain: Double
    var active: Bool
    var label: String
    var price: Decimal
    var token: UUID
    var recorded: Date
    var day: CalendarDate
    var note: String?
    var comment: String?
    var samples: [Double]
}

private struct Subject: Codable, Equatable {
    var subjectID: Int
    var species: String
    var dateOfBirth: CalendarDate

    enum CodingKeys: String, CodingKey {
        case subjectID = "subject_id"
        case species
        case dateOfBirth = "date_of_birth"
    }
}

private struct Electrode: Codable, Equatable {
    var x: Double
    var y: Double
    var label: String
}

private struct Probe: Codable, Equatable {
    var probe: String
    var electrodes: [Electrode]
    var settings: [String: Int]
    var origin: Electrode
}

private struct Counter: Codable {
    var count: UInt64
}

private struct Special: Codable, Equatable {
    var blob: Data
    var stamp: DateTime
    var doc: JSON
    var small: UInt8
    var ratio: Float
}

private let sampleToken = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!

private func sampleRecording(note: String?) -> Recording {
    Recording(
        id: 7, channel: -3, gain: 2.5, active: true, label: "probe A",
        price: Decimal(string: "12.34")!, token: sampleToken,
        recorded: Date(timeIntervalSince1970: 1_700_000_000),
        day: CalendarDate(year: 2024, month: 2, day: 29)!,
        note: note, comment: nil, samples: [1.5, -2.0, 3.25])
}

@Suite struct RowCodingTests {
    @Test func encodesPropertiesInOrderWithTypedValues() throws {
        let row = try RowEncoder().encode(sampleRecording(note: "ok"))
        #expect(row.names == ["id", "channel", "gain", "active", "label", "price", "token", "recorded", "day", "note", "samples"])
        #expect(row["id"] == .int(7))
        #expect(row["channel"] == .int(-3))
        #expect(row["gain"] == .double(2.5))
        #expect(row["active"] == .bool(true))
        #expect(row["label"] == .string("probe A"))
        #expect(row["price"] == .decimal(Decimal(string: "12.34")!))
        #expect(row["token"] == .uuid(sampleToken))
        #expect(row["recorded"] == .datetime(DateTime(iso: "2023-11-14 22:13:20")!))
        #expect(row["day"] == .date(CalendarDate(year: 2024, month: 2, day: 29)!))
        #expect(row["note"] == .string("ok"))
        #expect(row["comment"] == nil)  // nil optionals are left out
        #expect(row["samples"] == .json([1.5, -2.0, 3.25]))
    }

    @Test func roundTripsAStruct() throws {
        for note in ["some note", nil] {
            let original = sampleRecording(note: note)
            let row = try RowEncoder().encode(original)
            let decoded = try RowDecoder().decode(Recording.self, from: row)
            #expect(decoded == original)
        }
    }

    @Test func optionalsDecodeFromNullOrMissing() throws {
        var row = try RowEncoder().encode(sampleRecording(note: nil))
        #expect(try RowDecoder().decode(Recording.self, from: row).note == nil)
        row["note"] = .null
        row["comment"] = .string("hello")
        let decoded = try RowDecoder().decode(Recording.self, from: row)
        #expect(decoded.note == nil)
        #expect(decoded.comment == "hello")
    }

    @Test func codingKeysNameTheAttributes() throws {
        let subject = Subject(subjectID: 12, species: "mouse", dateOfBirth: CalendarDate(year: 2023, month: 1, day: 5)!)
        let row = try RowEncoder().encode(subject)
        #expect(row.names == ["subject_id", "species", "date_of_birth"])
        #expect(row["subject_id"] == .int(12))
        #expect(try RowDecoder().decode(Subject.self, from: row) == subject)

        let fetched: Row = ["subject_id": 3, "species": "rat", "date_of_birth": "2022-12-31", "extra": 1.5]
        let decoded = try RowDecoder().decode(Subject.self, from: fetched)
        #expect(decoded == Subject(subjectID: 3, species: "rat", dateOfBirth: CalendarDate(year: 2022, month: 12, day: 31)!))
    }

    @Test func nestedValuesBecomeJSON() throws {
        let probe = Probe(
            probe: "np1",
            electrodes: [Electrode(x: 0, y: 1.5, label: "e1"), Electrode(x: 2, y: 3, label: "e2")],
            settings: ["gain": 500, "reference": 0],
            origin: Electrode(x: -1, y: 0.25, label: "tip"))
        let row = try RowEncoder().encode(probe)
        #expect(row["probe"] == .string("np1"))
        #expect(row["electrodes"] == .json([["x": 0.0, "y": 1.5, "label": "e1"], ["x": 2.0, "y": 3.0, "label": "e2"]]))
        #expect(row["settings"] == .json(["gain": 500, "reference": 0]))
        #expect(row["origin"] == .json(["x": -1.0, "y": 0.25, "label": "tip"]))
        #expect(try RowDecoder().decode(Probe.self, from: row) == probe)
    }

    @Test func specialTypesRoundTrip() throws {
        let value = Special(
            blob: Data([0, 1, 2, 255]), stamp: DateTime(iso: "2024-03-01 12:30:45.123456")!,
            doc: ["a": [1, 2], "b": nil], small: 200, ratio: 0.1)
        let row = try RowEncoder().encode(value)
        #expect(row["blob"] == .bytes(Data([0, 1, 2, 255])))
        #expect(row["stamp"] == .datetime(DateTime(iso: "2024-03-01 12:30:45.123456")!))
        #expect(row["doc"] == .json(["a": [1, 2], "b": nil]))
        #expect(row["small"] == .int(200))
        #expect(row["ratio"] == .double(0.1))
        #expect(try RowDecoder().decode(Special.self, from: row) == value)
    }

    @Test func decodesConvertibleValues() throws {
        // Values as a database might return them: booleans as integers, integral floats, ISO text for dates.
        let row: Row = [
            "id": 1.0, "channel": 2, "gain": 3, "active": 1, "label": "x", "price": 4,
            "token": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "recorded": "2023-11-14 22:13:20",
            "day": "2024-02-29", "samples": Value.json([1, 2.5]),
        ]
        let decoded = try RowDecoder().decode(Recording.self, from: row)
        #expect(decoded.id == 1)
        #expect(decoded.active)
        #expect(decoded.price == 4)
        #expect(decoded.token == sampleToken)
        #expect(decoded.recorded == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(decoded.samples == [1, 2.5])
    }

    @Test func missingAttributeIsReported() throws {
        let row: Row = ["subject_id": 1, "species": "mouse"]
        let error = try #require(throws: DataJointError.self) {
            try RowDecoder().decode(Subject.self, from: row)
        }
        #expect(error.kind == .missingAttribute)
        #expect(error.message == "row has no attribute `date_of_birth` needed by Subject; it has subject_id, species")
    }

    @Test func wrongTypeIsReported() throws {
        let row: Row = ["subject_id": "abc", "species": "mouse", "date_of_birth": "2020-01-01"]
        let error = try #require(throws: DataJointError.self) {
            try RowDecoder().decode(Subject.self, from: row)
        }
        #expect(error.kind == .invalidValue)
        #expect(error.message == "attribute `subject_id` holds string \"abc\", which cannot be decoded as Int")

        let badDate: Row = ["subject_id": 1, "species": "mouse", "date_of_birth": "yesterday"]
        let dateError = try #require(throws: DataJointError.self) {
            try RowDecoder().decode(Subject.self, from: badDate)
        }
        #expect(dateError.kind == .invalidValue)
        #expect(dateError.message.contains("cannot be decoded as CalendarDate"))
    }

    @Test func wrongTypeInsideJSONIsReported() throws {
        let row: Row = ["probe": "p", "electrodes": Value.json([["x": 1, "y": "up", "label": "a"]]),
                        "settings": Value.json([:]), "origin": Value.json(["x": 0, "y": 0, "label": "o"])]
        let error = try #require(throws: DataJointError.self) {
            try RowDecoder().decode(Probe.self, from: row)
        }
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("`electrodes[0].y` in attribute `electrodes`"))
    }

    @Test func unsignedOverflowIsRejected() throws {
        #expect(try RowEncoder().encode(Counter(count: 42))["count"] == .int(42))
        let error = try #require(throws: DataJointError.self) {
            try RowEncoder().encode(Counter(count: .max))
        }
        #expect(error.kind == .invalidValue)
        #expect(try RowDecoder().decode(Counter.self, from: ["count": 42]).count == 42)
        #expect(throws: DataJointError.self) { try RowDecoder().decode(Counter.self, from: ["count": -1]) }
    }

    @Test func topLevelMustBeKeyed() throws {
        let error = try #require(throws: DataJointError.self) { try RowEncoder().encode([1, 2, 3]) }
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("must encode as a keyed container"))
        #expect(throws: DataJointError.self) { try RowEncoder().encode("text") }
        #expect(throws: DataJointError.self) { try RowDecoder().decode([Int].self, from: ["a": 1]) }
    }

    @Test func encodeNilGivesNull() throws {
        struct Explicit: Encodable {
            var note: String?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(note, forKey: .note)
            }
            enum CodingKeys: String, CodingKey { case note }
        }
        #expect(try RowEncoder().encode(Explicit(note: nil))["note"] == .null)
        #expect(try RowEncoder().encode(Explicit(note: "n"))["note"] == .string("n"))
    }
}
