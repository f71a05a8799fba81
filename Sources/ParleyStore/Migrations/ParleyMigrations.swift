import Fluent

/// The numbered migrations, in order; one list serves SQLite and PostgreSQL. Append only.
public enum ParleyMigrations {
    public static let all: [any Migration] = [
        M0001_Identity(),
        M0002_DefaultOrganization(),
        M0003_RateLimitWindows(),
        M0004_Conversations(),
        M0005_Jobs(),
        M0006_Coaching(),
        M0007_CoachingProducts(),
        M0008_UploadClaims(),
        M0009_Invitations(),
        M0010_TypedAnalysis(),
        M0011_Leads(),
        M0012_TypedDetails(),
        M0013_LeadFilterIndex(),
        M0014_VoiceAgents(),
        M0015_ConversationComments(),
        M0016_AgentExtractionSchema(),
        M0017_AgentCallControl(),
        M0018_GoogleWorkspaceDomains(),
        M0019_FieldIntelligence(),
    ]
}
