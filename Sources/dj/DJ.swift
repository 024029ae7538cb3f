import ArgumentParser
import DataJoint
import DataJointCommand

/// `dj`: the pipeline command of the demo pipeline: inspect schemas, draw and run pipelines, and `dj demo`.
@main
struct DJ: PipelineCommand {
    static let schemas = [SchemaSpec("demo", tables: demoTables)]
    static let additionalCommands: [any ParsableCommand.Type] = [DemoCommand.self]
    static let abstract =
        "DataJoint for Swift: inspect schemas and tables, draw the pipeline graph, populate, and run a demo pipeline."
}
