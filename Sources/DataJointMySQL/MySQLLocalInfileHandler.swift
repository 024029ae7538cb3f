import CMariaDB
import Foundation

/// The callbacks through which libmariadb reads the data of a `LOAD DATA LOCAL INFILE` statement: they serve the
/// rows of the `MySQLLoadData` being sent, and refuse any other request (they never open a file, whatever name a
/// server asks for).
enum MySQLLocalInfileHandler {
    /// Installs the handler on a connection: serving `data` while it is set, refusing every request when nil.
    static func install(on handle: UnsafeMutablePointer<MYSQL>, serving data: MySQLLoadData?) {
        let userdata = data.map { Unmanaged.passUnretained($0).toOpaque() }
        mysql_set_local_infile_handler(handle, open, read, end, error, userdata)
    }

    private static let open: @convention(c) (
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?
    ) -> Int32 = { state, _, userdata in
        state?.pointee = userdata
        return userdata == nil ? 1 : 0
    }

    private static let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, UInt32) -> Int32 = {
        state, buffer, capacity in
        guard let state, let buffer else { return -1 }
        let data = Unmanaged<MySQLLoadData>.fromOpaque(state).takeUnretainedValue()
        return Int32(data.read(into: UnsafeMutableRawPointer(buffer), capacity: Int(min(capacity, UInt32(Int32.max)))))
    }

    private static let end: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in }

    private static let error: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, UInt32) -> Int32 = {
        _, message, capacity in
        if let message, capacity > 0 {
            let text = Array("DataJoint sends no local files; this connection had no rows to load".utf8CString.prefix(Int(capacity)))
            text.withUnsafeBufferPointer { message.update(from: $0.baseAddress!, count: text.count) }
            message[Int(capacity) - 1] = 0
        }
        return 2000  // CR_UNKNOWN_ERROR
    }
}
