import Foundation
import Testing

@testable import DataJointCore

private func universityFile(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DataJointTests/Resources/university/\(name)")
}

@Suite struct CSVReaderTests {
    @Test func parsesPlainRecords() throws {
        let (header, records) = try CSVReader().parse("a,b,c\n1,2,3\n4,,6\n")
        #expect(header == ["a", "b", "c"])
        #expect(records == [["1", "2", "3"], ["4", "", "6"]])
    }

    @Test func quotedFieldsMayHoldCommasQuotesAndNewlines() throws {
        let text = "name,note\n\"Smith, J.\",\"said \"\"hi\"\"\"\n\"multi\nline\",\"\"\n"
        let (header, records) = try CSVReader().parse(text)
        #expect(header == ["name", "note"])
        #expect(records == [["Smith, J.", "said \"hi\""], ["multi\nline", ""]])
    }

    @Test func handlesCRLFAndBOM() throws {
        let text = "\u{FEFF}id,city\r\n1,\"Lake Scott,\r\nCT\"\r\n2,Boston\r\n"
        let (header, records) = try CSVReader().parse(text)
        #expect(header == ["id", "city"])
        #expect(records == [["1", "Lake Scott,\r\nCT"], ["2", "Boston"]])
    }

    @Test func missingTrailingNewlineAndBlankLines() throws {
        let (_, records) = try CSVReader().parse("x,y\n1,2\n\n3,4")
        #expect(records == [["1", "2"], ["3", "4"]])
        let (header, none) = try CSVReader().parse("x,y\r\n\r\n")
        #expect(header == ["x", "y"])
        #expect(none.isEmpty)
        #expect(try CSVReader().parse("a,b\n1,\n").records == [["1", ""]])
        #expect(try CSVReader().parse("").header.isEmpty)
    }

    @Test func nonASCIIText() throws {
        let (_, records) = try CSVReader().parse("name,city\nJosé,\"Zürich, 東京\"\n")
        #expect(records == [["José", "Zürich, 東京"]])
    }

    @Test func fieldCountMismatchNamesTheLine() throws {
        let error = try #require(throws: DataJointError.self) {
            try CSVReader().parse("a,b,c\n1,2,3\n\"x\ny\",2\n")
        }
        #expect(error.kind == .invalidValue)
        #expect(error.message == "CSV line 3 has 2 fields but the header has 3")
    }

    @Test func malformedQuotesAreRejected() throws {
        #expect(throws: DataJointError.self) { try CSVReader().parse("a\n\"open\n") }
        #expect(throws: DataJointError.self) { try CSVReader().parse("a,b\n\"x\"y,2\n") }
    }

    @Test func readsStudentFile() throws {
        let (header, records) = try CSVReader().read(contentsOf: universityFile("Student.csv"))
        #expect(header.count == 10)
        #expect(header.first == "student_id")
        #expect(records.count == 300)
        #expect(records.allSatisfy { $0.count == 10 })
        #expect(records[0] == [
            "100", "Allison", "Hill", "F", "1991-05-09", "819 Anthony Fields Suite 083", "Jacquelinebury", "IN",
            "01352", "+1-542-351-1615",
        ])
    }

    @Test func readsDepartmentFileWithMultilineAddresses() throws {
        // Nine physical lines: a header and four records whose quoted addresses span two lines.
        let (header, records) = try CSVReader().read(contentsOf: universityFile("Department.csv"))
        #expect(header == ["dept", "dept_name", "dept_address", "dept_phone"])
        #expect(records.count == 4)
        #expect(records[0] == ["BIOL", "Life Sciences", "931 Eric Trail Suite 331\nLake Scott, CT 53527", "(238)497-9162x0223"])
        #expect(records.map { $0[0] } == ["BIOL", "CS", "MATH", "PHYS"])
    }

    @Test func missingFileIsReported() throws {
        let error = try #require(throws: DataJointError.self) {
            try CSVReader().read(contentsOf: universityFile("NoSuchTable.csv"))
        }
        #expect(error.kind == .invalidValue)
    }

    @Test func largeInput() throws {
        var text = "id,name,value\n"
        for i in 0..<100_000 { text += "\(i),\"name \(i), x\",\(Double(i) / 4)\n" }
        let (_, records) = try CSVReader().parse(text)
        #expect(records.count == 100_000)
        #expect(records[99_999] == ["99999", "name 99999, x", "24999.75"])
    }
}
