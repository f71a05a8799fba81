/// The drill catalogue every user sees: minimal pairs, pace passages, filler-free answers and
/// confident statements, at three difficulties.
public enum BuiltInDrills {
    private static func pairs(_ words: [(String, String, Int)]) -> [DrillExercise] {
        words.map { .minimalPair(.init(word1: $0.0, word2: $0.1, target: $0.2)) }
    }

    public static let all: [Drill] = [
        // Pronunciation: pairs differing by one sound. Pairs were checked against espeak-ng's
        // phonemes (e.g. "live" is read /laɪv/ there, so live/leave is not used).
        Drill(id: "drill_minimal_pairs_1", title: "Minimal Pairs: short i and long ee",
              description: "Tell the short /ɪ/ of \"ship\" from the long /iː/ of \"sheep\"",
              category: .pronunciation, difficulty: .beginner, duration: 120,
              exercises: pairs([("ship", "sheep", 1), ("sit", "seat", 2), ("fit", "feet", 1), ("bit", "beat", 2), ("chip", "cheap", 1)])),
        Drill(id: "drill_minimal_pairs_2", title: "Minimal Pairs: full and fool",
              description: "Tell the short /ʊ/ of \"full\" from the long /uː/ of \"fool\"",
              category: .pronunciation, difficulty: .beginner, duration: 100,
              exercises: pairs([("full", "fool", 1), ("pull", "pool", 2), ("look", "Luke", 1), ("full", "fool", 2)])),
        Drill(id: "drill_minimal_pairs_3", title: "Minimal Pairs: bet and bat",
              description: "Open the mouth wider for /æ/ (\"bat\") than for /ɛ/ (\"bet\")",
              category: .pronunciation, difficulty: .intermediate, duration: 100,
              exercises: pairs([("bet", "bat", 1), ("bed", "bad", 2), ("pen", "pan", 1), ("men", "man", 2)])),
        Drill(id: "drill_minimal_pairs_4", title: "Minimal Pairs: think and sink",
              description: "Put the tongue between the teeth for /θ/ (\"think\"); /s/ (\"sink\") keeps it behind them",
              category: .pronunciation, difficulty: .intermediate, duration: 100,
              exercises: pairs([("think", "sink", 1), ("thin", "sin", 2), ("thick", "sick", 1), ("mouth", "mouse", 1)])),
        Drill(id: "drill_minimal_pairs_5", title: "Minimal Pairs: very and berry",
              description: "Touch the lower lip to the upper teeth for /v/; close both lips for /b/",
              category: .pronunciation, difficulty: .advanced, duration: 100,
              exercises: pairs([("very", "berry", 1), ("vote", "boat", 2), ("van", "ban", 1), ("vest", "best", 1)])),
        Drill(id: "drill_minimal_pairs_6", title: "Minimal Pairs: light and right",
              description: "Touch the ridge behind the teeth for /l/; keep the tongue off it for /r/",
              category: .pronunciation, difficulty: .advanced, duration: 100,
              exercises: pairs([("light", "right", 1), ("lead", "read", 2), ("rice", "lice", 1), ("long", "wrong", 2)])),

        // Pace: passages of growing length; the targets follow the 130–165 wpm conversational band.
        Drill(id: "drill_pace_1", title: "Steady Pace: short sentences",
              description: "Read short sentences at a calm, even pace",
              category: .pace, difficulty: .beginner, duration: 90,
              exercises: [
                .readAloud(.init(text: "Thank you all for coming today. I will keep this short and clear.", targetWPM: 120...160)),
                .readAloud(.init(text: "Our team finished the project on time. The customers are happy with the results.", targetWPM: 120...160)),
                .readAloud(.init(text: "Please take a moment to read the handout. We will start the questions in five minutes.", targetWPM: 120...160)),
              ]),
        Drill(id: "drill_pace_2", title: "Steady Pace: presentation opening",
              description: "Open a presentation at a conversational pace without rushing",
              category: .pace, difficulty: .intermediate, duration: 150,
              exercises: [
                .readAloud(.init(text: """
                    Good morning, everyone. Today I want to show you how we cut our delivery times in half. \
                    We started with a simple question: where does the time go? The answer surprised us, \
                    and I think it will surprise you too.
                    """, targetWPM: 130...165)),
                .readAloud(.init(text: """
                    Last year our support team answered twelve thousand calls. Most of them were about the same \
                    three problems. So we fixed those problems at the source, and the number of calls dropped \
                    by a third in six months.
                    """, targetWPM: 130...165)),
              ]),
        Drill(id: "drill_pace_3", title: "Pace Control: slow for the numbers",
              description: "Slow down where the numbers are, keep the rest brisk",
              category: .pace, difficulty: .advanced, duration: 200,
              exercises: [
                .readAloud(.init(text: """
                    Revenue grew eighteen percent to four point two million dollars. Costs stayed flat. \
                    That means our margin rose from twenty one to twenty nine percent, the best result in five years.
                    """, targetWPM: 115...145)),
                .readAloud(.init(text: """
                    Here is the plan for the next quarter. First, we hire two more engineers for the mobile app. \
                    Second, we move the billing system to the new platform before the end of March. \
                    Third, we visit our ten largest customers in person and ask them what we should build next. \
                    If we do these three things well, we will start next year with a stronger product, \
                    a simpler system and a clearer view of what our customers need.
                    """, targetWPM: 140...170)),
              ]),

        // Filler words: open questions answered for a minimum length without um, uh, like, you know.
        Drill(id: "drill_fillers_1", title: "Filler-Free: everyday topics",
              description: "Answer simple questions for twenty-five words without um, uh or like",
              category: .fillers, difficulty: .beginner, duration: 120,
              exercises: [
                .fillerFree(.init(prompt: "Describe your morning routine.", minimumWords: 25)),
                .fillerFree(.init(prompt: "Tell us about your favourite meal and why you like it.", minimumWords: 25)),
              ]),
        Drill(id: "drill_fillers_2", title: "Filler-Free: explain your work",
              description: "Explain your work clearly, pausing instead of filling silence",
              category: .fillers, difficulty: .intermediate, duration: 180,
              exercises: [
                .fillerFree(.init(prompt: "Explain what your team does to a new colleague.", minimumWords: 40)),
                .fillerFree(.init(prompt: "Describe a project you are proud of and your part in it.", minimumWords: 40)),
              ]),
        Drill(id: "drill_fillers_3", title: "Filler-Free: under pressure",
              description: "Answer hard questions at length without reaching for fillers",
              category: .fillers, difficulty: .advanced, duration: 240,
              exercises: [
                .fillerFree(.init(prompt: "Why should the board choose your proposal over the alternatives?", minimumWords: 60)),
                .fillerFree(.init(prompt: "A customer asks why the launch slipped by a month. Explain what happened.", minimumWords: 60)),
              ]),

        // Confidence: committed statements without hedges ("I guess", "maybe", "sort of").
        Drill(id: "drill_confidence_1", title: "Confident Statements: introductions",
              description: "Introduce yourself and your work without hedging",
              category: .confidence, difficulty: .beginner, duration: 90,
              exercises: [
                .confidentStatement(.init(prompt: "Introduce yourself and your role in one or two sentences.",
                                          example: "I am Alex Morgan. I lead the data team, and we make sure every decision here starts with good numbers.")),
                .confidentStatement(.init(prompt: "Say what you are best at in your job.",
                                          example: "I am best at turning a messy problem into a clear plan that the team can deliver.")),
              ]),
        Drill(id: "drill_confidence_2", title: "Confident Statements: recommendations",
              description: "Recommend a course of action plainly and own it",
              category: .confidence, difficulty: .intermediate, duration: 120,
              exercises: [
                .confidentStatement(.init(prompt: "Recommend one of two vendors to your manager.",
                                          example: "I recommend the second vendor. Their price is higher, but they will cut our setup time in half.")),
                .confidentStatement(.init(prompt: "Tell your team which project to pause this quarter.",
                                          example: "We will pause the reporting redesign this quarter so that the billing migration ships on time.")),
              ]),
        Drill(id: "drill_confidence_3", title: "Confident Statements: pushback",
              description: "Hold your position under pushback on price and deadlines",
              category: .confidence, difficulty: .advanced, duration: 150,
              exercises: [
                .confidentStatement(.init(prompt: "A client says your price is too high. Respond.",
                                          example: "Our price reflects the results we deliver. Clients like you recover the cost within six months, and I can show you the numbers.")),
                .confidentStatement(.init(prompt: "Commit to a deadline your director doubts.",
                                          example: "We will deliver on the fifteenth. I have planned the work, the team is ready, and I will report progress every Friday.")),
              ]),
    ]

    /// The drill with `id`, or a typed error.
    public static func drill(id: String) throws(DrillError) -> Drill {
        guard let drill = all.first(where: { $0.id == id }) else { throw .unknownDrill(id) }
        return drill
    }
}
