import Foundation

/// `<attach>`: a file stored with its name. Insert a file path (a string or a file URL); fetch writes the file
/// into the download path and returns its path. Stored as `filename\0contents`, as the reference does.
public struct AttachCodec: Codec {
    public let name = "attach"

    public init() {}

    public func storedType(inStore: Bool) -> String { inStore ? "<hash>" : "bytes" }

    func path(of value: Value) -> String? {
        switch value {
        case .string(let s): return s
        case .custom(let c): return c.as(URL.self)?.path
        default: return nil
        }
    }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard let path = path(of: value) else {
            throw context.unsupportedValue(value, codec: "<attach>", give: "the path of a file")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataJointError(.invalidValue, "attachment file not found for \(context.attributeName): \(path)")
        }
        guard !isDirectory.boolValue else {
            throw DataJointError(.invalidValue, "<attach> does not take directories (`\(context.attribute)`): \(path)")
        }
    }

    public func encode(_ value: Value, context: CodecContext) throws -> Value {
        guard let path = path(of: value) else { throw DataJointError(.invalidValue, "<attach> needs a file path") }
        let url = URL(fileURLWithPath: path)
        let contents: Data
        do {
            contents = try Data(contentsOf: url)
        } catch {
            throw DataJointError(.invalidValue, "cannot read attachment \(path): \(error.localizedDescription)")
        }
        return .bytes(Data(url.lastPathComponent.utf8) + Data([0]) + contents)
    }

    public func decode(_ stored: Value, context: CodecContext) throws -> Value {
        guard case .bytes(let data) = stored, let zero = data.firstIndex(of: 0) else {
            throw DataJointError(.codec, "\(context.attributeName) does not hold an attachment")
        }
        guard let filename = String(data: data[data.startIndex..<zero], encoding: .utf8), !filename.isEmpty,
            !filename.contains("/"), filename != "..", filename != "."
        else {
            throw DataJointError(.codec, "\(context.attributeName) holds an attachment with an invalid file name")
        }
        let contents = data[data.index(after: zero)...]
        let directory = URL(fileURLWithPath: context.downloadPath)
        var target = directory.appendingPathComponent(filename)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // A different file of the same name gets a numbered name; the same file is reused.
            var counter = 1
            while FileManager.default.fileExists(atPath: target.path), (try? Data(contentsOf: target)) != Data(contents) {
                let base = (filename as NSString).deletingPathExtension
                let ext = (filename as NSString).pathExtension
                target = directory.appendingPathComponent(ext.isEmpty ? "\(base)_\(counter)" : "\(base)_\(counter).\(ext)")
                counter += 1
            }
            if !FileManager.default.fileExists(atPath: target.path) {
                try Data(contents).write(to: target)
            }
        } catch {
            throw DataJointError(
                .codec,
                "\(context.attributeName): cannot write the attachment \(filename) into \(context.downloadPath): "
                    + error.localizedDescription)
        }
        return .string(target.path)
    }
}
