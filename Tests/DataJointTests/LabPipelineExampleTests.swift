import DataJoint
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The package of the README's "Running a pipeline" (Examples/LabPipeline): shown as written, a valid manifest, and a
/// program that runs its pipeline.
@Suite("README pipeline program")
struct LabPipelineExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let example = root.appendingPathComponent("Examples/LabPipeline")

    @Test("the README shows the example's Package.swift and Lab.swift exactly, and the manifest is valid")
    func readmeShowsTheExample() async throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for file in ["Package.swift", "Sources/lab/Lab.swift"] {
            let text = try String(contentsOf: Self.example.appendingPathComponent(file), encoding: .utf8)
            #expect(readme.contains("```swift\n" + text + "```"), "README does not show \(file) as it is")
        }
        // The manifest compiles and names the products it uses (no dependency is fetched or built).
        let swift = ["/opt/swift/usr/bin/swift", "/usr/bin/swift"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
                .map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let program = try #require(swift, "no swift executable on PATH")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["package", "dump-package"]
        process.currentDirectoryURL = Self.example
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self))")
        #expect(String(decoding: data, as: UTF8.self).contains("\"DataJointCommand\""))
    }

    @Test("lab ingest, populate and populate --watch run the example pipeline", arguments: TestBackend.all)
    func programRuns(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = try DJTool.environment(for: backend)
            let db = try await TestDatabase.connect(settings: Settings(safemode: false))
            func lab(_ arguments: String...) async throws -> (status: Int32, output: String, errors: String) {
                let run = try await DJTool.run(arguments, in: directory, environment: environment, program: "lab")
                return (run.status, String(decoding: run.output, as: UTF8.self), run.errors)
            }
            let ingest = try await lab("ingest", "--subject", "1")
            #expect(ingest.status == 0, "\(ingest.errors)")
            let populate = try await lab("populate")
            #expect(populate.status == 0, "\(populate.errors)")
            #expect(populate.output.contains("2 computed, 0 failed, 0 skipped"))
            let schema = try await db.schema("lab", tables: [], create: false)
            #expect(try await schema.table("__session_stats").toArray("mean_response", as: Double.self, orderBy: ["KEY"]) == [0.3, 0.6])

            let worker = try DJTool.start(["populate", "--watch", "--interval", "0.2"], in: directory, environment: environment, program: "lab")
            #expect(try await lab("ingest", "--subject", "2").status == 0)
            #expect(try await WatchTests.eventually { try await schema.table("__session_stats").count() == 4 })
            kill(worker.pid, SIGTERM)
            let stopped = try await worker.wait()
            #expect(stopped.status == 0, "\(stopped.errors)")
            #expect(String(decoding: stopped.output, as: UTF8.self).contains("Stopped: 2 computed"))
            let preview = try await lab("preview", "lab.SessionStats")
            #expect(preview.output.contains("(4 of 4 rows)"))
            // The program's query command looks names up in the program's schema first.
            let query = try await lab("query", "SessionStats & 'mean_response > 0.5'", "--count")
            #expect(query.status == 0, "\(query.errors)")
            #expect(query.output == "\(try await (schema.table("__session_stats") & "mean_response > 0.5").count())\n")
        }
    }
}
