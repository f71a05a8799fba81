/// Speech recognition and synthesis engines (issue 4): ports live in ParleyDomain, implementations here.
public enum ParleySpeechEngines {}
