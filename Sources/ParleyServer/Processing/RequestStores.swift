import ParleyCore
import Vapor

extension Request {
    /// The application's use cases, as every handler reaches them.
    var core: CoreServices { application.parley.core }
    /// Conversations of every surface.
    var conversations: ConversationLog { application.parley.core.conversations }
}
