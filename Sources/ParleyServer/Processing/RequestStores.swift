import ParleyStore
import Vapor

extension Request {
    /// Scenario and conversation persistence on this request's database connection, for every surface.
    var conversations: FluentConversationStore { FluentConversationStore(database: db) }
}
