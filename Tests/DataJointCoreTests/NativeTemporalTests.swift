import Testing

@testable import DataJointCore

@Suite("Native date/time columns")
struct NativeTemporalTests {
    @Test("a native timestamp column takes dates, datetimes and text")
    func acceptsTemporalValues() throws {
        let type = AttributeType.native("timestamp(3)", .temporal)
        let moment = try #require(DateTime(iso: "2026-11-22 06:58:43.975"))
        #expect(type.normalize(.datetime(moment)) == .string("2026-11-22 06:58:43.975000"))
        #expect(type.normalize(.date(try #require(CalendarDate(iso: "2024-02-29")))) == .string("2024-02-29"))
        #expect(type.normalize(.string("2024-01-01 00:00:00")) == .string("2024-01-01 00:00:00"))
    }
}
