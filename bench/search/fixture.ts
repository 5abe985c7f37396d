// The relevance fixture of `npm run eval:search`: 204 videos over 12 topics, written to read
// like real ones, and labelled queries of every kind the issue names. A query's `expect`
// lists the keys of the videos a person typing it means (the first is the one they mean most).

export interface FixtureVideo {
  key: string;
  title: string;
  description: string;
  tags: string[];
}

/** A topic's first CHANNEL_SPLIT videos belong to its first channel, the rest to its second. */
export const CHANNEL_SPLIT = 9;

export interface Topic {
  category: string;
  channels: { name: string; verified: boolean }[];
  videos: FixtureVideo[];
}

const v = (key: string, title: string, description: string, tags: string[]): FixtureVideo => ({
  key,
  title,
  description,
  tags,
});

export const TOPICS: Topic[] = [
  {
    category: "food",
    channels: [
      { name: "Crumb and Crust", verified: true },
      { name: "Weeknight Kitchen", verified: false },
    ],
    videos: [
      v(
        "sourdough",
        "Sourdough Bread for Beginners",
        "A step by step guide to your first loaf: starter, autolyse, stretch and folds, shaping and baking in a Dutch oven.",
        ["sourdough", "bread", "baking"],
      ),
      v(
        "brulee",
        "Crème Brûlée at Home",
        "Silky vanilla custard with a crackly caramel top. No blowtorch? We show the broiler trick too.",
        ["dessert", "french", "custard"],
      ),
      v(
        "padthai",
        "Authentic Pad Thai in 15 Minutes",
        "Rice noodles, tamarind, fish sauce and palm sugar: the street food classic made fast in a wok.",
        ["thai", "noodles", "wok"],
      ),
      v(
        "pho",
        "Vietnamese Phở from Scratch",
        "A clear beef broth simmered for eight hours with charred onion, ginger, star anise and cinnamon.",
        ["vietnamese", "soup", "beef"],
      ),
      v(
        "croissant",
        "Laminated Dough: Butter Croissants",
        "Lamination explained: the butter block, three letter folds, proofing and why temperature is everything.",
        ["pastry", "croissant", "french"],
      ),
      v(
        "knife",
        "Knife Skills Every Cook Should Know",
        "Dicing an onion, julienne, chiffonade and how to hold the knife so you keep all ten fingers.",
        ["knife", "basics", "technique"],
      ),
      v(
        "ramen",
        "Tonkotsu Ramen Broth Explained",
        "Why pork bones boiled hard give a creamy, opaque broth, plus tare, aroma oil and noodles.",
        ["ramen", "japanese", "broth"],
      ),
      v(
        "pizza",
        "Neapolitan Pizza in a Home Oven",
        "High hydration dough, a cold ferment and a steel: leopard spotting without a wood fired oven.",
        ["pizza", "dough", "italian"],
      ),
      v(
        "guacamole",
        "The Best Guacamole with Jalapeño",
        "Ripe avocados, lime, white onion, cilantro and a fresh jalapeño, mashed in a molcajete.",
        ["mexican", "avocado", "dip"],
      ),
      v(
        "brownies",
        "Fudgy Chocolate Brownies",
        "Melted butter, cocoa and two kinds of chocolate for a crinkly top and a dense, gooey middle.",
        ["chocolate", "baking", "dessert"],
      ),
      v(
        "paella",
        "Spanish Paella with Socarrat",
        "Bomba rice, saffron, chicken and rabbit cooked in a wide pan until the bottom crisps.",
        ["spanish", "rice", "saffron"],
      ),
      v(
        "curry",
        "Chicken Tikka Masala Curry",
        "Yogurt marinated chicken charred under the grill, then simmered in a spiced tomato cream sauce.",
        ["indian", "curry", "chicken"],
      ),
      v(
        "dumplings",
        "Pork and Chive Dumplings (Jiaozi)",
        "Making the wrappers by hand, a juicy filling and three ways to fold them for the new year.",
        ["chinese", "dumplings", "pork"],
      ),
      v(
        "macarons",
        "French Macarons Without Cracks",
        "Aged egg whites, Italian meringue and macaronage: the troubleshooting guide for hollow shells.",
        ["macarons", "french", "baking"],
      ),
      v(
        "steak",
        "Reverse Sear Steak Guide",
        "A thick ribeye cooked low in the oven, then seared in a smoking hot cast iron pan.",
        ["steak", "beef", "cast iron"],
      ),
      v(
        "focaccia",
        "No Knead Focaccia with Rosemary",
        "An overnight dough, lots of olive oil, dimples and flaky salt: the easiest bread you will ever bake.",
        ["bread", "italian", "baking"],
      ),
      v(
        "mealprep",
        "Meal Prep for the Week on a Budget",
        "Five lunches and five dinners for under forty dollars, cooked in two hours on Sunday.",
        ["meal prep", "budget", "healthy"],
      ),
    ],
  },
  {
    category: "travel",
    channels: [
      { name: "Backpack Diaries", verified: true },
      { name: "Slow Roads", verified: false },
    ],
    videos: [
      v(
        "kyoto",
        "Kyoto in Autumn: Temples and Maple Leaves",
        "Three days walking from Fushimi Inari to Arashiyama during the red leaf season, with costs.",
        ["japan", "kyoto", "autumn"],
      ),
      v(
        "iceland",
        "Iceland Ring Road Itinerary",
        "Ten days around the island in a campervan: waterfalls, black sand beaches and the glacier lagoon.",
        ["iceland", "road trip", "campervan"],
      ),
      v(
        "lisbon",
        "48 Hours in Lisbon",
        "Trams, pastéis de nata, miradouros and the best fado bar in Alfama on a weekend budget.",
        ["portugal", "lisbon", "city guide"],
      ),
      v(
        "saopaulo",
        "São Paulo Street Food Tour",
        "Pastel at the municipal market, coxinha, and the best feijoada in the city.",
        ["brazil", "street food", "sao paulo"],
      ),
      v(
        "patagonia",
        "Hiking the W Trek in Patagonia",
        "Torres del Paine in five days: refugios, wind, and the sunrise at the base of the towers.",
        ["chile", "hiking", "patagonia"],
      ),
      v(
        "packing",
        "Packing Light: One Bag Travel",
        "Everything for a month in a 30 litre backpack, with the exact list and what I would leave out.",
        ["packing", "minimalism", "backpack"],
      ),
      v(
        "bangkok",
        "Bangkok Night Markets Guide",
        "Where to eat, what to pay and how to get around the best night markets by boat and train.",
        ["thailand", "bangkok", "markets"],
      ),
      v(
        "morocco",
        "Marrakech Medina and the Sahara",
        "Haggling in the souks, a riad stay, and two nights in a desert camp at Merzouga.",
        ["morocco", "desert", "marrakech"],
      ),
      v(
        "nyc",
        "New York City on a Budget",
        "Free museums, the Staten Island ferry, pizza slices and a walking route across Brooklyn Bridge.",
        ["new york", "budget", "usa"],
      ),
      v(
        "trains",
        "Europe by Train: Interrail Tips",
        "How the pass works, seat reservations, night trains and the routes worth the splurge.",
        ["europe", "trains", "interrail"],
      ),
      v(
        "bali",
        "Bali Beyond the Beaches",
        "Rice terraces in Sidemen, waterfalls in the north and a sunrise climb of Mount Batur.",
        ["bali", "indonesia", "volcano"],
      ),
      v(
        "jetlag",
        "How to Beat Jet Lag",
        "Light exposure, meal timing and sleep tricks that actually help after a long haul flight.",
        ["jet lag", "sleep", "flights"],
      ),
      v(
        "peru",
        "Machu Picchu via the Inca Trail",
        "Permits, altitude sickness, porters and the four days to the Sun Gate.",
        ["peru", "inca trail", "hiking"],
      ),
      v(
        "norway",
        "Norway Fjords by Ferry",
        "Bergen to Geiranger by ferry and bus, with the cheapest way to see Nærøyfjord.",
        ["norway", "fjords", "scandinavia"],
      ),
      v(
        "vietnam",
        "Motorbike Loop in Northern Vietnam",
        "The Ha Giang loop over four days: mountain passes, homestays and rice wine.",
        ["vietnam", "motorbike", "ha giang"],
      ),
      v(
        "istanbul",
        "Istanbul: Where East Meets West",
        "Hagia Sophia, the Grand Bazaar, a Bosphorus ferry and the best baklava near Karaköy.",
        ["turkey", "istanbul", "city guide"],
      ),
      v(
        "safari",
        "First Safari in Kenya",
        "The Maasai Mara during the great migration: what to pack, costs and how to choose a guide.",
        ["kenya", "safari", "wildlife"],
      ),
    ],
  },
  {
    category: "fitness",
    channels: [
      { name: "Iron Habit", verified: true },
      { name: "Move Daily", verified: false },
    ],
    videos: [
      v(
        "couch5k",
        "Couch to 5K: Week One",
        "Walk run intervals for absolute beginners, with warm up, cool down and how to pace yourself.",
        ["running", "beginner", "5k"],
      ),
      v(
        "deadlift",
        "Deadlift Form Fixes",
        "Bar path, bracing and hip hinge cues to pull heavier without hurting your lower back.",
        ["deadlift", "strength", "form"],
      ),
      v(
        "yoga",
        "Morning Yoga Flow for Flexibility",
        "Twenty minutes of gentle sun salutations, hip openers and hamstring stretches.",
        ["yoga", "stretching", "morning"],
      ),
      v(
        "hiit",
        "20 Minute HIIT Workout No Equipment",
        "Burpees, mountain climbers and squat jumps in a tabata format you can do at home.",
        ["hiit", "home workout", "cardio"],
      ),
      v(
        "pullups",
        "Your First Pull Up",
        "A progression from dead hangs and negatives to the first full pull up in six weeks.",
        ["pull ups", "calisthenics", "back"],
      ),
      v(
        "marathon",
        "Marathon Training Plan Explained",
        "Sixteen weeks of base miles, long runs, tempo work and tapering for race day.",
        ["marathon", "running", "endurance"],
      ),
      v(
        "protein",
        "How Much Protein Do You Need",
        "What the research says about protein for muscle growth, timing and plant based sources.",
        ["nutrition", "protein", "muscle"],
      ),
      v(
        "mobility",
        "Hip Mobility Routine for Desk Workers",
        "Ten minutes a day to undo sitting: ninety ninety switches, couch stretch and deep squats.",
        ["mobility", "hips", "office"],
      ),
      v(
        "kettlebell",
        "Kettlebell Swing Tutorial",
        "The hardstyle swing step by step: hinge, snap the hips and stop the bell from pulling you.",
        ["kettlebell", "swing", "strength"],
      ),
      v(
        "squat",
        "Squat Depth and Knee Pain",
        "Why knees over toes is fine, ankle mobility, and how to squat deep without pain.",
        ["squat", "knees", "legs"],
      ),
      v(
        "stretch",
        "Full Body Stretching Routine",
        "A relaxing fifteen minute stretch for the evening: neck, shoulders, back, hips and calves.",
        ["stretching", "recovery", "evening"],
      ),
      v(
        "pushups",
        "100 Push Ups a Day for 30 Days",
        "What happened to my chest, shoulders and strength after a month of daily push ups.",
        ["push ups", "challenge", "chest"],
      ),
      v(
        "cycling",
        "Indoor Cycling Intervals",
        "A forty five minute interval session on the bike trainer with power zones explained.",
        ["cycling", "indoor", "intervals"],
      ),
      v(
        "posture",
        "Fix Rounded Shoulders and Posture",
        "Face pulls, band pull aparts and wall slides to open up the chest and stand taller.",
        ["posture", "shoulders", "mobility"],
      ),
      v(
        "swimming",
        "Freestyle Swimming Technique",
        "Breathing, body rotation and the catch: drills to swim longer with less effort.",
        ["swimming", "technique", "freestyle"],
      ),
      v(
        "sleep",
        "Sleep and Muscle Recovery",
        "How sleep drives recovery and performance, and a routine to fall asleep faster.",
        ["sleep", "recovery", "health"],
      ),
      v(
        "plank",
        "Core Workout Beyond the Plank",
        "Dead bugs, pallof presses and hollow holds for a strong, stable core.",
        ["core", "abs", "plank"],
      ),
    ],
  },
  {
    category: "programming",
    channels: [
      { name: "Byte Sized Dev", verified: true },
      { name: "Terminal Tuesday", verified: false },
    ],
    videos: [
      v(
        "rustownership",
        "Rust Ownership and Borrowing Explained",
        "Moves, references and lifetimes with diagrams, and why the borrow checker rejects your code.",
        ["rust", "ownership", "borrow checker"],
      ),
      v(
        "gitrebase",
        "Git Rebase vs Merge",
        "When to rebase, when to merge, interactive rebase and how to recover with the reflog.",
        ["git", "rebase", "version control"],
      ),
      v(
        "reacthooks",
        "React Hooks Crash Course",
        "useState, useEffect, useMemo and custom hooks built up from a small todo app.",
        ["react", "hooks", "javascript"],
      ),
      v(
        "sqlindex",
        "How Database Indexes Work",
        "B-trees, covering indexes and reading a query plan to find the slow query.",
        ["sql", "database", "performance"],
      ),
      v(
        "python",
        "Python for Absolute Beginners",
        "Variables, loops, functions and your first script that renames a folder of photos.",
        ["python", "beginner", "tutorial"],
      ),
      v(
        "docker",
        "Docker in 100 Seconds and Beyond",
        "Images, containers, volumes and a compose file for a web app with a database.",
        ["docker", "containers", "devops"],
      ),
      v(
        "typescript",
        "TypeScript Generics Deep Dive",
        "Constraints, conditional types, infer and mapped types with real world examples.",
        ["typescript", "generics", "types"],
      ),
      v(
        "regex",
        "Regular Expressions Made Simple",
        "Character classes, quantifiers, groups and lookaheads, tested live in the browser.",
        ["regex", "strings", "patterns"],
      ),
      v(
        "vim",
        "Vim Motions for VS Code Users",
        "The twenty motions that make editing faster, and how to practice them without leaving your editor.",
        ["vim", "editor", "productivity"],
      ),
      v(
        "algorithms",
        "Dynamic Programming Patterns",
        "Memoization and tabulation through the knapsack, coin change and longest common subsequence.",
        ["algorithms", "dynamic programming", "interview"],
      ),
      v(
        "kubernetes",
        "Kubernetes Explained Simply",
        "Pods, deployments, services and ingress, drawn on a whiteboard before we touch kubectl.",
        ["kubernetes", "devops", "cloud"],
      ),
      v(
        "css",
        "CSS Grid Layout in 20 Minutes",
        "Template areas, fractional units and auto fit to build a responsive page without media queries.",
        ["css", "grid", "web design"],
      ),
      v(
        "async",
        "Async Await in JavaScript",
        "Promises, the event loop, error handling and running requests in parallel.",
        ["javascript", "async", "promises"],
      ),
      v(
        "linux",
        "Linux Command Line Basics",
        "Navigating the file system, pipes, grep, permissions and writing a first shell script.",
        ["linux", "terminal", "bash"],
      ),
      v(
        "golang",
        "Go Concurrency with Goroutines",
        "Goroutines, channels, select and the worker pool pattern with a web crawler.",
        ["go", "golang", "concurrency"],
      ),
      v(
        "testing",
        "Unit Testing Best Practices",
        "What to test, fakes versus mocks, and keeping a test suite fast and trustworthy.",
        ["testing", "unit tests", "quality"],
      ),
      v(
        "webassembly",
        "WebAssembly from Rust to the Browser",
        "Compiling Rust to wasm, calling it from JavaScript and measuring the speed up.",
        ["webassembly", "wasm", "rust"],
      ),
    ],
  },
  {
    category: "music",
    channels: [
      { name: "Fretboard Friends", verified: true },
      { name: "Keys and Chords", verified: false },
    ],
    videos: [
      v(
        "guitarchords",
        "First Guitar Chords for Beginners",
        "G, C, D and E minor, how to switch between them and a strumming pattern for your first song.",
        ["guitar", "chords", "beginner"],
      ),
      v(
        "piano",
        "Learn Piano Scales Fast",
        "C major, fingering rules and a daily ten minute routine to get scales into your hands.",
        ["piano", "scales", "practice"],
      ),
      v(
        "barre",
        "Barre Chords Without Pain",
        "Thumb position, arm weight and exercises to make the F chord ring clean.",
        ["guitar", "barre chords", "technique"],
      ),
      v(
        "musictheory",
        "Music Theory in 15 Minutes",
        "Intervals, the major scale, chords built from it and why some progressions sound sad.",
        ["music theory", "harmony", "scales"],
      ),
      v(
        "blues",
        "12 Bar Blues Improvisation",
        "The minor pentatonic box, bending notes and call and response licks over a shuffle.",
        ["blues", "guitar", "improvisation"],
      ),
      v(
        "singing",
        "How to Sing Higher Without Straining",
        "Breath support, mixed voice and exercises to extend your range safely.",
        ["singing", "vocals", "range"],
      ),
      v(
        "ukulele",
        "Ukulele Songs with Four Chords",
        "Ten songs you can play with C, G, A minor and F, with an island strum.",
        ["ukulele", "songs", "beginner"],
      ),
      v(
        "drums",
        "Drum Grooves Every Beginner Needs",
        "Rock beats, a shuffle and fills, counted slowly with a metronome.",
        ["drums", "grooves", "rhythm"],
      ),
      v(
        "mixing",
        "Mixing Vocals in a Home Studio",
        "EQ, compression, de-essing and reverb sends to make a vocal sit in the mix.",
        ["mixing", "vocals", "home studio"],
      ),
      v(
        "fingerstyle",
        "Fingerstyle Guitar Patterns",
        "Travis picking and arpeggio patterns with the thumb keeping a steady bass.",
        ["fingerstyle", "guitar", "picking"],
      ),
      v(
        "chopin",
        "Chopin Nocturne Op. 9 No. 2 Tutorial",
        "Slow practice of the left hand, rubato and pedalling in the famous E flat nocturne.",
        ["chopin", "piano", "classical"],
      ),
      v(
        "earTraining",
        "Ear Training: Hear Intervals",
        "Recognising intervals by song references, and an app free routine for relative pitch.",
        ["ear training", "intervals", "musicianship"],
      ),
      v(
        "synth",
        "Synthesizer Basics: Sound Design",
        "Oscillators, filters, envelopes and LFOs by building a bass, a pad and a pluck.",
        ["synthesizer", "sound design", "electronic"],
      ),
      v(
        "metronome",
        "Practice with a Metronome",
        "Why slow practice works, subdivisions and how to stop rushing the beat.",
        ["practice", "rhythm", "timing"],
      ),
      v(
        "bass",
        "Bass Guitar Walking Lines",
        "Building walking bass lines from chord tones and approach notes over a jazz blues.",
        ["bass", "jazz", "walking bass"],
      ),
      v(
        "songwriting",
        "Songwriting: From Idea to Chorus",
        "Finding a hook, writing lyrics that fit the melody and building a memorable chorus.",
        ["songwriting", "lyrics", "melody"],
      ),
      v("violin", "Violin Bow Hold for Beginners", "A relaxed bow hold, straight bowing and open string exercises.", [
        "violin",
        "bowing",
        "beginner",
      ]),
    ],
  },
  {
    category: "gaming",
    channels: [
      { name: "Pixel Pilgrims", verified: true },
      { name: "Speedrun Sundays", verified: false },
    ],
    videos: [
      v(
        "minecraftfarm",
        "Minecraft Automatic Iron Farm",
        "A compact iron golem farm for survival that makes four stacks an hour, built block by block.",
        ["minecraft", "farm", "redstone"],
      ),
      v(
        "eldenring",
        "Elden Ring Beginner Guide",
        "Where to go first, the best starting class and how to beat Margit without summons.",
        ["elden ring", "guide", "souls"],
      ),
      v(
        "zelda",
        "Zelda Tears of the Kingdom Secrets",
        "Hidden mechanics, ultrahand builds and shrine solutions most players missed.",
        ["zelda", "nintendo", "secrets"],
      ),
      v(
        "speedrun",
        "Super Mario 64 Speedrun Explained",
        "Every trick of the 16 star route: backwards long jumps, clips and the movement tech.",
        ["speedrun", "mario", "retro"],
      ),
      v(
        "chess",
        "Chess Openings for Beginners",
        "The Italian game, the London system and the principles that beat memorising lines.",
        ["chess", "openings", "strategy"],
      ),
      v(
        "stardew",
        "Stardew Valley Year One Guide",
        "Crops, the community center bundles and a money plan for the first year on the farm.",
        ["stardew valley", "farming", "guide"],
      ),
      v(
        "pcbuild",
        "Building a Budget Gaming PC",
        "Parts for a 1080p gaming rig under 700 dollars, assembled and benchmarked.",
        ["pc build", "hardware", "budget"],
      ),
      v(
        "redstone",
        "Minecraft Redstone for Beginners",
        "Repeaters, comparators and pistons explained with a hidden door you can build today.",
        ["minecraft", "redstone", "tutorial"],
      ),
      v(
        "valorant",
        "Valorant Aim Training Routine",
        "Crosshair placement, flicks and tracking drills for a daily twenty minute warm up.",
        ["valorant", "aim", "fps"],
      ),
      v(
        "pokemon",
        "Pokémon Competitive Team Building",
        "Roles, type coverage and EV spreads for a balanced team in the current format.",
        ["pokemon", "competitive", "team building"],
      ),
      v(
        "hollowknight",
        "Hollow Knight All Bosses Ranked",
        "Every boss from easiest to hardest, with the charms that make each fight easier.",
        ["hollow knight", "bosses", "metroidvania"],
      ),
      v(
        "retro",
        "Retro Console Restoration",
        "Cleaning a yellowed Super Nintendo, recapping and retrobright in the sun.",
        ["retro", "restoration", "snes"],
      ),
      v(
        "tetris",
        "Tetris Techniques from the World Champions",
        "Hypertapping, rolling and stacking strategies from classic Tetris tournaments.",
        ["tetris", "classic", "techniques"],
      ),
      v(
        "indiedev",
        "Making My First Indie Game in Godot",
        "A year of development in twelve minutes: prototypes, art, and launching on Steam.",
        ["godot", "game dev", "indie"],
      ),
      v(
        "civ",
        "Civilization VI Domination Victory",
        "Early rush strategy, unit promotions and timing wars for a fast domination win.",
        ["civilization", "strategy", "4x"],
      ),
      v("fortnite", "Fortnite Building Tips", "Ramp rushes, box fighting and edit courses to out build opponents.", [
        "fortnite",
        "building",
        "battle royale",
      ]),
      v(
        "lore",
        "Dark Souls Lore Explained",
        "The Age of Fire, Gwyn, the first flame and what the ending really means.",
        ["dark souls", "lore", "story"],
      ),
    ],
  },
  {
    category: "gardening",
    channels: [
      { name: "Green Thumb Plot", verified: false },
      { name: "Balcony Botanist", verified: true },
    ],
    videos: [
      v(
        "tomatoes",
        "Growing Tomatoes in Containers",
        "Varieties for pots, staking, watering and feeding for a big harvest on a patio.",
        ["tomatoes", "containers", "vegetables"],
      ),
      v(
        "compost",
        "Hot Composting in 18 Days",
        "The Berkeley method: the right mix of greens and browns, turning schedule and temperature.",
        ["compost", "soil", "organic"],
      ),
      v(
        "pruning",
        "Pruning Roses for More Blooms",
        "When and where to cut, removing dead wood and shaping a bush rose in late winter.",
        ["roses", "pruning", "flowers"],
      ),
      v(
        "raised",
        "Building Raised Garden Beds",
        "A cedar raised bed from one sheet of plans, filled with the lasagna method.",
        ["raised beds", "diy", "vegetables"],
      ),
      v(
        "succulents",
        "Propagating Succulents from Leaves",
        "Callusing, rooting and potting up new plants from a single leaf.",
        ["succulents", "propagation", "houseplants"],
      ),
      v("monstera", "Monstera Care Guide", "Light, watering, a moss pole and how to get those split leaves indoors.", [
        "monstera",
        "houseplants",
        "care",
      ]),
      v(
        "seeds",
        "Starting Seeds Indoors",
        "Timing, grow lights, bottom heat and hardening off seedlings before planting out.",
        ["seeds", "seedlings", "grow lights"],
      ),
      v("lawn", "Lawn Care for Beginners", "Mowing height, overseeding, feeding and fixing bare patches in spring.", [
        "lawn",
        "grass",
        "spring",
      ]),
      v(
        "herbs",
        "Herb Garden on a Windowsill",
        "Basil, mint, parsley and chives in pots: light, harvesting and keeping them bushy.",
        ["herbs", "indoor", "windowsill"],
      ),
      v(
        "bees",
        "Planting for Bees and Butterflies",
        "Native flowers that bloom from spring to autumn and feed pollinators all season.",
        ["pollinators", "bees", "wildflowers"],
      ),
      v(
        "garlic",
        "Planting Garlic in Autumn",
        "Choosing hardneck or softneck, spacing, mulching and harvesting next summer.",
        ["garlic", "autumn", "vegetables"],
      ),
      v(
        "bonsai",
        "Bonsai for Beginners",
        "Choosing a first tree, wiring, root pruning and the watering mistakes that kill bonsai.",
        ["bonsai", "trees", "japanese"],
      ),
      v(
        "hydroponics",
        "Simple Hydroponics at Home",
        "A kratky jar setup for lettuce with no pumps and no electricity.",
        ["hydroponics", "lettuce", "indoor"],
      ),
      v(
        "pests",
        "Organic Pest Control",
        "Aphids, slugs and caterpillars handled with companion planting, traps and neem oil.",
        ["pests", "organic", "aphids"],
      ),
      v(
        "potatoes",
        "Growing Potatoes in Bags",
        "Chitting, planting, earthing up and tipping out a bag of new potatoes.",
        ["potatoes", "grow bags", "vegetables"],
      ),
      v(
        "orchid",
        "Orchid Repotting and Reblooming",
        "Bark mix, root health and the temperature drop that makes a phalaenopsis flower again.",
        ["orchids", "houseplants", "repotting"],
      ),
      v(
        "winter",
        "Preparing the Garden for Winter",
        "Mulching, cover crops, protecting tender plants and cleaning tools.",
        ["winter", "mulch", "cover crops"],
      ),
    ],
  },
  {
    category: "photography",
    channels: [
      { name: "Golden Hour Lab", verified: true },
      { name: "Shutter Notes", verified: false },
    ],
    videos: [
      v(
        "exposure",
        "The Exposure Triangle Explained",
        "Aperture, shutter speed and ISO, and how changing one forces a change in the others.",
        ["exposure", "aperture", "basics"],
      ),
      v(
        "portrait",
        "Portrait Photography with Natural Light",
        "Window light, reflectors and posing tips for flattering portraits at home.",
        ["portrait", "natural light", "posing"],
      ),
      v(
        "astro",
        "Milky Way Astrophotography",
        "Finding dark skies, the 500 rule, focusing on stars and stacking for clean images.",
        ["astrophotography", "milky way", "night"],
      ),
      v(
        "lightroom",
        "Lightroom Editing Workflow",
        "Import, culling, global adjustments, masks and export settings for the web.",
        ["lightroom", "editing", "workflow"],
      ),
      v(
        "street",
        "Street Photography Tips",
        "Zone focusing, being invisible and finding light and layers in a busy city.",
        ["street", "candid", "urban"],
      ),
      v(
        "composition",
        "Composition Rules and Breaking Them",
        "Rule of thirds, leading lines, framing and negative space, and when to ignore them.",
        ["composition", "rule of thirds", "framing"],
      ),
      v(
        "film",
        "Shooting Film in 2026",
        "Choosing a first film camera, stocks for beginners and developing black and white at home.",
        ["film", "analog", "darkroom"],
      ),
      v(
        "landscape",
        "Landscape Photography at Sunrise",
        "Planning with apps, graduated filters and a sharp foreground for depth.",
        ["landscape", "sunrise", "filters"],
      ),
      v(
        "macro",
        "Macro Photography of Insects",
        "Extension tubes, focus stacking and a diffused flash for crisp bug portraits.",
        ["macro", "insects", "focus stacking"],
      ),
      v(
        "wedding",
        "Wedding Photography Shot List",
        "The must have moments, family groups and how to handle a dark church.",
        ["wedding", "events", "shot list"],
      ),
      v(
        "lenses",
        "Prime vs Zoom Lenses",
        "Sharpness, weight, aperture and which three lenses cover almost everything.",
        ["lenses", "gear", "prime"],
      ),
      v("phone", "Better Photos with Your Phone", "Tap to expose, gridlines, portrait mode and editing in free apps.", [
        "smartphone",
        "mobile",
        "editing",
      ]),
      v(
        "wildlife",
        "Wildlife Photography for Beginners",
        "Long lenses, fieldcraft and camera settings for birds in flight.",
        ["wildlife", "birds", "telephoto"],
      ),
      v(
        "blackwhite",
        "Black and White Photography",
        "Seeing in tones, contrast, and converting colour photos with character.",
        ["black and white", "monochrome", "contrast"],
      ),
      v(
        "flash",
        "Off Camera Flash Basics",
        "One speedlight, an umbrella and the inverse square law for studio looks anywhere.",
        ["flash", "lighting", "speedlight"],
      ),
      v(
        "longexposure",
        "Long Exposure Waterfalls",
        "ND filters, tripods and shutter speeds for silky water and streaking clouds.",
        ["long exposure", "nd filter", "waterfalls"],
      ),
      v(
        "food",
        "Food Photography Styling",
        "Backdrops, side light, props and shooting overhead for restaurant style plates.",
        ["food photography", "styling", "flat lay"],
      ),
    ],
  },
  {
    category: "science",
    channels: [
      { name: "Orbit and Atom", verified: true },
      { name: "Curious Minutes", verified: false },
    ],
    videos: [
      v(
        "blackholes",
        "What Happens Inside a Black Hole",
        "Event horizons, spaghettification and what general relativity predicts beyond the horizon.",
        ["black holes", "space", "relativity"],
      ),
      v(
        "quantum",
        "Quantum Entanglement Without the Hype",
        "What entanglement is, what it is not, and why it cannot send messages faster than light.",
        ["quantum", "physics", "entanglement"],
      ),
      v(
        "mars",
        "How We Will Land Humans on Mars",
        "Entry, descent and landing, life support and making fuel from the Martian atmosphere.",
        ["mars", "nasa", "spaceflight"],
      ),
      v(
        "crispr",
        "CRISPR Gene Editing Explained",
        "How Cas9 finds and cuts DNA, base editing and the ethics of editing embryos.",
        ["crispr", "genetics", "biology"],
      ),
      v(
        "climate",
        "The Greenhouse Effect in 10 Minutes",
        "Infrared radiation, carbon dioxide and why a little warming changes so much.",
        ["climate", "greenhouse effect", "earth"],
      ),
      v(
        "jwst",
        "James Webb Telescope First Images",
        "What the infrared images show: early galaxies, exoplanet atmospheres and stellar nurseries.",
        ["jwst", "telescope", "galaxies"],
      ),
      v(
        "evolution",
        "Evolution by Natural Selection",
        "Variation, inheritance and selection, with finches, moths and antibiotic resistance.",
        ["evolution", "biology", "darwin"],
      ),
      v(
        "volcano",
        "Why Volcanoes Erupt",
        "Magma, gas pressure and the difference between explosive and effusive eruptions.",
        ["volcanoes", "geology", "earth science"],
      ),
      v(
        "brain",
        "How Memory Works in the Brain",
        "Encoding, consolidation during sleep and why we forget, with the hippocampus at the centre.",
        ["brain", "memory", "neuroscience"],
      ),
      v(
        "periodic",
        "The Periodic Table Explained",
        "Why it has that shape: electron shells, groups and the trends across a period.",
        ["chemistry", "periodic table", "elements"],
      ),
      v(
        "moon",
        "Why the Moon Has Phases",
        "Orbits, sunlight and the geometry behind crescents, eclipses and the far side.",
        ["moon", "astronomy", "eclipses"],
      ),
      v(
        "vaccines",
        "How mRNA Vaccines Work",
        "From the mRNA code to the spike protein and the immune memory that follows.",
        ["vaccines", "mrna", "immunology"],
      ),
      v(
        "relativity",
        "Special Relativity Visualised",
        "Time dilation, length contraction and the twin paradox with animated light clocks.",
        ["relativity", "einstein", "physics"],
      ),
      v(
        "ocean",
        "The Deep Ocean Explained",
        "Pressure, bioluminescence and the strange animals of the midnight zone.",
        ["ocean", "deep sea", "marine biology"],
      ),
      v(
        "dinosaurs",
        "What Killed the Dinosaurs",
        "The Chicxulub impact, the Deccan Traps and the evidence in a thin layer of iridium.",
        ["dinosaurs", "extinction", "asteroid"],
      ),
      v(
        "fusion",
        "Nuclear Fusion Power Explained",
        "Tokamaks, lasers and why getting more energy out than in took seventy years.",
        ["fusion", "energy", "plasma"],
      ),
      v(
        "exoplanets",
        "How We Find Exoplanets",
        "Transits, radial velocity and the search for Earth like worlds in habitable zones.",
        ["exoplanets", "astronomy", "kepler"],
      ),
    ],
  },
  {
    category: "finance",
    channels: [
      { name: "Money Made Plain", verified: true },
      { name: "Frugal Path", verified: false },
    ],
    videos: [
      v(
        "indexfunds",
        "Index Funds for Beginners",
        "Why low cost index funds beat most stock pickers, and how to buy your first one.",
        ["index funds", "investing", "beginner"],
      ),
      v(
        "budget",
        "How to Make a Budget That Works",
        "Zero based budgeting, the 50 30 20 rule and tracking spending without spreadsheets.",
        ["budget", "money", "saving"],
      ),
      v(
        "compound",
        "Compound Interest Explained",
        "Why starting early matters more than the amount, with charts over forty years.",
        ["compound interest", "investing", "retirement"],
      ),
      v(
        "debt",
        "Paying Off Debt: Snowball vs Avalanche",
        "Two strategies compared with real numbers, and the psychology of staying motivated.",
        ["debt", "credit cards", "payoff"],
      ),
      v(
        "emergency",
        "Building an Emergency Fund",
        "How much to keep, where to keep it and how to build it on a small income.",
        ["emergency fund", "saving", "security"],
      ),
      v(
        "taxes",
        "Income Tax Brackets Explained",
        "Marginal versus effective rates, and why a raise never lowers your take home pay.",
        ["taxes", "tax brackets", "income"],
      ),
      v(
        "creditscore",
        "How Credit Scores Work",
        "Payment history, utilisation and the habits that raise a score fastest.",
        ["credit score", "credit", "loans"],
      ),
      v(
        "realestate",
        "Renting vs Buying a Home",
        "The true cost of owning, opportunity cost and the break even point in years.",
        ["real estate", "mortgage", "renting"],
      ),
      v(
        "retirement",
        "Retirement Accounts Compared",
        "Workplace plans, individual accounts and the order to fund them for tax savings.",
        ["retirement", "pension", "tax"],
      ),
      v(
        "frugal",
        "Frugal Living Tips That Add Up",
        "Groceries, subscriptions and energy bills: twenty small changes worth hundreds a year.",
        ["frugal", "saving money", "tips"],
      ),
      v(
        "stocks",
        "How the Stock Market Works",
        "Shares, exchanges, prices and what really happens when you press buy.",
        ["stock market", "shares", "investing"],
      ),
      v(
        "inflation",
        "What Causes Inflation",
        "Money supply, demand, supply shocks and what central banks do with interest rates.",
        ["inflation", "economics", "interest rates"],
      ),
      v(
        "sidehustle",
        "Side Hustles That Actually Pay",
        "Freelancing, tutoring and reselling compared by hourly earnings after costs.",
        ["side hustle", "income", "freelance"],
      ),
      v(
        "crypto",
        "Cryptocurrency Risks Explained",
        "Volatility, scams, custody and why to size any position you could lose.",
        ["crypto", "bitcoin", "risk"],
      ),
      v(
        "fire",
        "Financial Independence and Early Retirement",
        "Savings rates, the four percent rule and what the FIRE movement gets wrong.",
        ["fire", "early retirement", "savings rate"],
      ),
      v(
        "insurance",
        "Insurance You Actually Need",
        "Health, renters, term life and disability insurance, and the policies to skip.",
        ["insurance", "protection", "policies"],
      ),
      v(
        "negotiate",
        "How to Negotiate a Higher Salary",
        "Researching the range, anchoring and the script for the counter offer.",
        ["salary", "negotiation", "career"],
      ),
    ],
  },
  {
    category: "diy",
    channels: [
      { name: "Sawdust Sunday", verified: true },
      { name: "Fix It Friday", verified: false },
    ],
    videos: [
      v(
        "workbench",
        "Building a Workbench from 2x4s",
        "A sturdy bench with a laminated top and a shelf, built with only a circular saw and a drill.",
        ["workbench", "woodworking", "2x4"],
      ),
      v(
        "drywall",
        "How to Patch Drywall",
        "Small holes, big holes and a California patch, with mud, tape and sanding for an invisible repair.",
        ["drywall", "repair", "walls"],
      ),
      v(
        "tile",
        "Tiling a Bathroom Floor",
        "Layout, thinset, spacers, cutting tiles and grouting a floor that stays flat.",
        ["tile", "bathroom", "flooring"],
      ),
      v(
        "faucet",
        "Fixing a Leaky Faucet",
        "Cartridge and compression faucets taken apart, with the washer or cartridge replaced.",
        ["plumbing", "faucet", "leak"],
      ),
      v(
        "dovetail",
        "Hand Cut Dovetails",
        "Marking, sawing and chopping through dovetails with a handful of hand tools.",
        ["dovetails", "joinery", "hand tools"],
      ),
      v(
        "paint",
        "How to Paint a Room Like a Pro",
        "Prep, cutting in, rolling technique and avoiding lap marks on the walls.",
        ["painting", "walls", "interior"],
      ),
      v(
        "shelves",
        "Floating Shelves with Hidden Brackets",
        "Mounting steel brackets into studs and building oak shelves that hide them.",
        ["shelves", "woodworking", "storage"],
      ),
      v(
        "electrical",
        "Replacing a Light Switch Safely",
        "Turning off the breaker, testing for voltage and wiring a single pole switch.",
        ["electrical", "switch", "wiring"],
      ),
      v(
        "epoxy",
        "River Table with Epoxy Resin",
        "Slab prep, a leak proof mold, pouring epoxy in layers and finishing to a gloss.",
        ["epoxy", "river table", "resin"],
      ),
      v("deck", "Building a Deck from Scratch", "Footings, joists, decking boards and railings over three weekends.", [
        "deck",
        "outdoor",
        "carpentry",
      ]),
      v(
        "sharpening",
        "Sharpening Chisels and Plane Irons",
        "Flattening the back, honing guides and stropping to a razor edge.",
        ["sharpening", "chisels", "hand tools"],
      ),
      v("caulk", "Caulking a Bathtub", "Removing old silicone, taping and laying a smooth bead that does not mould.", [
        "caulk",
        "bathroom",
        "silicone",
      ]),
      v(
        "cuttingboard",
        "End Grain Cutting Board",
        "Glue ups, flattening without a drum sander and a food safe finish.",
        ["cutting board", "woodworking", "end grain"],
      ),
      v(
        "insulation",
        "Insulating an Attic",
        "Air sealing first, then blown in cellulose to the right depth for lower heating bills.",
        ["insulation", "attic", "energy"],
      ),
      v(
        "furniture",
        "Refinishing Old Furniture",
        "Stripping, sanding and an oil finish to bring a thrifted dresser back to life.",
        ["refinishing", "furniture", "upcycling"],
      ),
      v(
        "toilet",
        "Fixing a Running Toilet",
        "Flapper, fill valve and chain adjustments to stop a toilet that runs all night.",
        ["plumbing", "toilet", "repair"],
      ),
      v("router", "Router Table Basics", "Bits, fences, feed direction and the safety rules for a router table.", [
        "router",
        "woodworking",
        "tools",
      ]),
    ],
  },
  {
    category: "education",
    channels: [
      { name: "Polyglot Path", verified: true },
      { name: "Study With Sam", verified: false },
    ],
    videos: [
      v(
        "spanish",
        "Learn Spanish in 30 Days",
        "The most common verbs, present tense and phrases for ordering food and asking directions.",
        ["spanish", "language learning", "beginner"],
      ),
      v(
        "japanese",
        "Japanese Hiragana in One Hour",
        "All forty six hiragana with mnemonics and a writing practice sheet.",
        ["japanese", "hiragana", "writing"],
      ),
      v(
        "french",
        "French Pronunciation Guide",
        "Nasal vowels, the French R, liaisons and silent letters with native examples.",
        ["french", "pronunciation", "accent"],
      ),
      v(
        "memory",
        "Spaced Repetition for Learning Anything",
        "How forgetting curves work and how to build flashcards that stick.",
        ["spaced repetition", "flashcards", "study"],
      ),
      v(
        "german",
        "German Cases Made Easy",
        "Nominative, accusative, dative and genitive with a simple decision chart.",
        ["german", "grammar", "cases"],
      ),
      v(
        "mandarin",
        "Mandarin Tones for Beginners",
        "The four tones and the neutral tone, tone pairs and tone changes.",
        ["mandarin", "chinese", "tones"],
      ),
      v(
        "notes",
        "How to Take Notes in Class",
        "The Cornell method, mind maps and turning notes into questions for revision.",
        ["note taking", "study", "cornell"],
      ),
      v(
        "italian",
        "Italian for Travel",
        "Greetings, numbers, ordering espresso and the phrases that make locals smile.",
        ["italian", "travel", "phrases"],
      ),
      v(
        "korean",
        "Read Korean Hangul in 90 Minutes",
        "How syllable blocks work and reading your first words on real signs.",
        ["korean", "hangul", "alphabet"],
      ),
      v(
        "focus",
        "Study Techniques for Deep Focus",
        "Pomodoro, blocking distractions and planning sessions around your energy.",
        ["focus", "pomodoro", "productivity"],
      ),
      v(
        "english",
        "English Phrasal Verbs",
        "Get up, give in, put off: the fifty phrasal verbs native speakers use every day.",
        ["english", "phrasal verbs", "esl"],
      ),
      v(
        "speedreading",
        "Does Speed Reading Work",
        "What eye tracking research says about skimming, comprehension and reading faster.",
        ["speed reading", "reading", "research"],
      ),
      v(
        "portuguese",
        "Brazilian Portuguese Basics",
        "Pronunciation, greetings and the everyday words you hear first in Brazil.",
        ["portuguese", "brazil", "beginner"],
      ),
      v(
        "arabic",
        "Arabic Alphabet for Beginners",
        "Letter forms at the start, middle and end of words, and reading right to left.",
        ["arabic", "alphabet", "reading"],
      ),
      v(
        "essay",
        "How to Write a Great Essay",
        "Thesis statements, structure and editing for clarity, with a graded example.",
        ["essay", "writing", "school"],
      ),
      v(
        "math",
        "Calculus in 20 Minutes",
        "Limits, derivatives and integrals explained with a car's speedometer and odometer.",
        ["calculus", "math", "derivatives"],
      ),
      v(
        "immersion",
        "Language Immersion at Home",
        "Changing your phone language, podcasts, shows and a daily routine for input.",
        ["immersion", "language learning", "listening"],
      ),
    ],
  },
];

export type QueryKind =
  | "exact title"
  | "prefix"
  | "one typo"
  | "two typos"
  | "stem"
  | "accents"
  | "description only"
  | "tag only"
  | "channel name"
  | "extra words"
  | "word order"
  | "nonsense"
  | "said only"
  | "said phrase"
  | "said, stem or accent";

export interface LabelledQuery {
  kind: QueryKind;
  q: string;
  /**
   * Keys of the videos meant, the most meant first; "@Channel" means every video of that
   * channel; empty for nonsense (nothing should come back).
   */
  expect: string[];
  /** For a query of words said: the second the first expected video says them (a cue's start). */
  at?: number;
}

const q = (kind: QueryKind, text: string, ...expect: string[]): LabelledQuery => ({ kind, q: text, expect });
/** Words said in `key`'s captions, in the cue starting at `at` seconds, and written nowhere. */
const said = (kind: QueryKind, text: string, key: string, at: number): LabelledQuery => ({
  kind,
  q: text,
  expect: [key],
  at,
});

/** A caption cue: start and end in seconds, its text. */
export type FixtureCue = [start: number, end: number, text: string];

/**
 * Uploaded English captions of a few videos: what the presenter says, much of which the
 * title, description and tags never write (eval.ts checks that the said queries' words are
 * written nowhere, so only the captions can find them).
 */
export const CAPTIONS: Record<string, FixtureCue[]> = {
  sourdough: [
    [0, 4, "Hi everyone, welcome back to the kitchen."],
    [4, 9, "Today we are baking my grandmother's favourite loaf."],
    [12, 17, "First, feed your starter the night before with rye flour."],
    [63, 68, "If the dough feels sticky, wet your hands instead of adding flour."],
    [125, 131, "Score it with a blade at a shallow angle, about thirty degrees."],
    [190, 195, "Let it cool for an hour, or the crumb turns gummy."],
  ],
  pho: [
    [0, 5, "The secret to a clear broth is patience."],
    [40, 46, "Blanch the bones for ten minutes and rinse off the scum."],
    [95, 100, "Toast the spices in a dry pan until fragrant."],
    [150, 156, "Add the fish sauce at the very end, never while it boils."],
  ],
  kyoto: [
    [3, 8, "We got to Fushimi Inari at six in the morning to beat the crowds."],
    [70, 76, "These vermilion gates go on for almost four kilometres."],
    [140, 146, "For lunch we had yudofu, simmered tofu, near the bamboo grove."],
  ],
  deadlift: [
    [5, 10, "Most people round their back because the bar drifts forward."],
    [48, 54, "Take the slack out of the bar before you pull."],
    [101, 107, "Squeeze your lats like you are bending the bar around your shins."],
  ],
  gitrebase: [
    [2, 7, "Let's say you and a colleague both changed the same file."],
    [66, 72, "Now resolve the conflict, stage the file and continue."],
    [130, 136, "Force pushing a shared branch will ruin your teammate's afternoon."],
  ],
  compound: [
    [0, 6, "Imagine you put away one hundred dollars every month."],
    [80, 86, "After forty years it grows to over half a million."],
    [140, 145, "The rule of seventy two tells you how fast your money doubles."],
  ],
  drywall: [
    [4, 9, "Cut a square around the hole with a utility knife."],
    [60, 66, "Feather the edges of the mud wider than the patch."],
    [118, 124, "Prime it before painting or the patch will flash through."],
  ],
  iceland: [
    [10, 16, "The wind here can rip a car door right off its hinges."],
    [85, 91, "Skógafoss is sixty metres tall and you can walk right up to it."],
    [160, 166, "Fill up the tank whenever you see a petrol station in the east."],
  ],
  spanish: [
    [0, 5, "Hola, bienvenidos: today we learn how to order a coffee."],
    [55, 61, "Quisiera un café con leche, por favor."],
    [120, 126, "The letter j sounds like a hard h in English."],
  ],
};

export const QUERIES: LabelledQuery[] = [
  q("exact title", "Sourdough Bread for Beginners", "sourdough"),
  q("exact title", "Rust Ownership and Borrowing Explained", "rustownership"),
  q("exact title", "Minecraft Automatic Iron Farm", "minecraftfarm"),
  q("exact title", "The Exposure Triangle Explained", "exposure"),
  q("exact title", "Compound Interest Explained", "compound"),
  q("exact title", "Hand Cut Dovetails", "dovetail"),
  q("exact title", "Why the Moon Has Phases", "moon"),

  q("prefix", "sourd", "sourdough"),
  q("prefix", "kuber", "kubernetes"),
  q("prefix", "astroph", "astro"),
  q("prefix", "hydropo", "hydroponics"),
  q("prefix", "kettleb", "kettlebell"),
  q("prefix", "how to negot", "negotiate"),

  q("one typo", "sourdugh bread", "sourdough", "focaccia"),
  q("one typo", "kubernetes explaned", "kubernetes"),
  q("one typo", "guacamoel", "guacamole"),
  q("one typo", "deadlfit form", "deadlift"),
  q("one typo", "monstera cair guide", "monstera"),
  q("one typo", "bonsia for beginners", "bonsai"),

  q("two typos", "astrophotograpy milky wya", "astro"),
  q("two typos", "compund intrest", "compound"),
  q("two typos", "hydroponcis at hmoe", "hydroponics"),
  q("two typos", "interail tipps", "trains"),
  q("two typos", "spaghetificaton", "blackholes"),

  q("stem", "baked sourdough", "sourdough"),
  q("stem", "running marathons", "marathon", "couch5k"),
  q("stem", "painting rooms", "paint"),
  q("stem", "stretches", "stretch", "yoga"),
  q("stem", "fixing leaking faucets", "faucet"),

  q("accents", "creme brulee", "brulee"),
  q("accents", "pho", "pho"),
  q("accents", "jalapeno guacamole", "guacamole"),
  q("accents", "sao paulo street food", "saopaulo"),
  q("accents", "pokemon team building", "pokemon"),
  q("accents", "pasteis de nata", "lisbon"),

  q("description only", "broiler trick", "brulee"),
  q("description only", "spaghettification", "blackholes"),
  q("description only", "berkeley method", "compost"),
  q("description only", "twin paradox", "relativity"),
  q("description only", "staten island ferry", "nyc"),

  q("tag only", "calisthenics", "pullups"),
  q("tag only", "devops", "kubernetes", "docker"),
  q("tag only", "metroidvania", "hollowknight"),
  q("tag only", "upcycling", "furniture"),
  q("tag only", "esl", "english"),

  q("channel name", "crumb and crust", "@Crumb and Crust"),
  q("channel name", "sawdust sunday", "@Sawdust Sunday"),
  q("channel name", "polyglot path", "@Polyglot Path"),
  q("channel name", "orbit and atom", "@Orbit and Atom"),
  q("channel name", "golden hour lab", "@Golden Hour Lab"),

  q("extra words", "sourdough bread for beginners easy recipe", "sourdough"),
  q("extra words", "kettlebell swing tutorial for women", "kettlebell"),
  q("extra words", "fixing a leaky faucet kitchen sink", "faucet"),
  q("extra words", "milky way astrophotography iphone", "astro"),
  q("extra words", "index funds for beginners canada", "indexfunds"),

  q("word order", "explained interest compound", "compound"),
  q("word order", "beginners bonsai for", "bonsai"),
  q("word order", "guide care monstera", "monstera"),
  q("word order", "dovetails cut hand", "dovetail"),
  q("word order", "farm iron automatic minecraft", "minecraftfarm"),

  q("nonsense", "xqzvw plorft"),
  q("nonsense", "zzzzzz"),
  q("nonsense", "blorptastic frumious"),
  q("nonsense", "qwertyuiop asdfghjkl"),
  q("nonsense", "vxk jjq"),

  said("said only", "scum", "pho", 40),
  said("said only", "tofu", "kyoto", 140),
  said("said only", "rye flour", "sourdough", 12),
  said("said only", "petrol station", "iceland", 160),
  said("said only", "lats", "deadlift", 101),

  said("said phrase", "rinse off the scum", "pho", 40),
  said("said phrase", "ruin your teammate's afternoon", "gitrebase", 130),
  said("said phrase", "feather the edges of the mud", "drywall", 60),
  said("said phrase", "rule of seventy two", "compound", 140),
  said("said phrase", "cafe con leche", "spanish", 55),

  said("said, stem or accent", "skogafoss", "iceland", 85),
  said("said, stem or accent", "vermilion gate", "kyoto", 70),
  said("said, stem or accent", "force push", "gitrebase", 130),
  said("said, stem or accent", "crumb turning gummy", "sourdough", 190),
  said("said, stem or accent", "blanching bones", "pho", 40),
];
