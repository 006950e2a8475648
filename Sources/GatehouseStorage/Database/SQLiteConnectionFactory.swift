import Logging
import NIOCore
import NIOPosix
import SQLiteKit

/// Opens SQLite connections set up the way Gatehouse needs them on every connection:
/// foreign keys enforced, a sleeping busy timeout instead of SQLiteNIO's spinning handler
/// (another process, such as the CLI, may hold the write lock), and FULL synchronous mode so
/// that a committed write survives a crash of the machine, not only of the process.
struct SQLiteConnectionFactory: ConnectionPoolSource {
    let path: String

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: .singleton, logger: logger, on: eventLoop)
            .flatMap { connection in
                let pragmas = ["PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000", "PRAGMA synchronous = FULL"]
                return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { chain, pragma in
                    chain.flatMap { connection.query(pragma).map { _ in } }
                }
                .map { connection }
            }
    }
}
