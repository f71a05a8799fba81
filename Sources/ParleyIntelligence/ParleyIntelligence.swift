/// Text analysis, scoring and the conversation engine (issue 5).
public enum ParleyIntelligenceEngines {}
