"""Static vocabularies of the synthetic organisation: departments, places, names, skills, channels, phrases.

Kept as tuples (never sets or dicts iterated for sampling) so that a seed alone fixes every draw.
"""

from __future__ import annotations

from typing import NamedTuple


class Department(NamedTuple):
    name: str
    slug: str
    share: float  # share of the headcount
    groups: tuple[str, ...]  # names of the sub-units (groups) inside the department
    ic_titles: tuple[str, ...]  # individual-contributor titles, junior to senior
    manager_title: str


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Engineering", "eng", 0.30,
        ("Platform", "Payments", "Search", "Mobile", "Identity", "Infrastructure", "Growth", "Checkout",
         "Observability", "Developer Experience", "Core API", "Storage", "Messaging", "Billing"),
        ("Software Engineer", "Senior Software Engineer", "Staff Engineer", "Site Reliability Engineer",
         "QA Engineer", "Security Engineer"),
        "Engineering Manager",
    ),
    Department(
        "Data", "data", 0.09,
        ("Analytics", "ML Platform", "Data Engineering", "Insights", "Experimentation", "Forecasting"),
        ("Data Analyst", "Data Scientist", "Senior Data Scientist", "Data Engineer", "ML Engineer"),
        "Data Science Manager",
    ),
    Department(
        "Product", "product", 0.06,
        ("Core Product", "Design", "Research", "Growth Product", "Platform Product"),
        ("Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher"),
        "Group Product Manager",
    ),
    Department(
        "Sales", "sales", 0.15,
        ("EMEA Enterprise", "North America", "APAC", "LATAM", "Mid-Market", "Solutions", "Partnerships"),
        ("Sales Development Rep", "Account Executive", "Senior Account Executive", "Sales Engineer",
         "Account Manager"),
        "Sales Manager",
    ),
    Department(
        "Marketing", "marketing", 0.07,
        ("Brand", "Demand Generation", "Content", "Product Marketing", "Events"),
        ("Marketing Specialist", "Content Writer", "Product Marketing Manager", "SEO Specialist"),
        "Marketing Manager",
    ),
    Department(
        "Finance", "finance", 0.05,
        ("Accounting", "FP&A", "Treasury", "Procurement"),
        ("Accountant", "Financial Analyst", "Senior Financial Analyst", "Controller"),
        "Finance Manager",
    ),
    Department(
        "HR", "hr", 0.04,
        ("Talent Acquisition", "People Partners", "Learning & Development", "Total Rewards"),
        ("Recruiter", "HR Business Partner", "L&D Specialist", "People Operations Specialist"),
        "HR Manager",
    ),
    Department(
        "Support", "support", 0.12,
        ("Customer Support", "Technical Support", "Customer Success", "Support Operations"),
        ("Support Agent", "Technical Support Engineer", "Customer Success Manager", "Support Specialist"),
        "Support Manager",
    ),
    Department(
        "Legal", "legal", 0.02,
        ("Commercial Legal", "Privacy & Compliance"),
        ("Legal Counsel", "Paralegal", "Compliance Analyst"),
        "Legal Manager",
    ),
    Department(
        "Operations", "ops", 0.10,
        ("IT", "Facilities", "Supply Chain", "Business Operations", "PMO"),
        ("Operations Analyst", "IT Specialist", "Project Manager", "Supply Chain Analyst"),
        "Operations Manager",
    ),
)


class Location(NamedTuple):
    name: str
    weight: float
    utc_offset: float  # hours; working hours 9-18 local become UTC times through it
    cultures: tuple[str, ...]  # name pools most common there


LOCATIONS: tuple[Location, ...] = (
    Location("Berlin", 0.14, 1.0, ("german", "turkish", "polish")),
    Location("London", 0.13, 0.0, ("english", "indian", "nigerian")),
    Location("New York", 0.12, -5.0, ("american", "spanish", "chinese")),
    Location("Bangalore", 0.12, 5.5, ("indian",)),
    Location("Singapore", 0.07, 8.0, ("chinese", "indian", "vietnamese")),
    Location("São Paulo", 0.07, -3.0, ("portuguese",)),
    Location("Toronto", 0.06, -5.0, ("english", "french", "chinese")),
    Location("Paris", 0.06, 1.0, ("french",)),
    Location("Zürich", 0.04, 1.0, ("german", "french")),
    Location("Kraków", 0.05, 1.0, ("polish",)),
    Location("Stockholm", 0.03, 1.0, ("nordic",)),
    Location("Istanbul", 0.03, 3.0, ("turkish",)),
    Location("Mexico City", 0.03, -6.0, ("spanish",)),
    Location("Tokyo", 0.03, 9.0, ("japanese",)),
    Location("Lagos", 0.02, 1.0, ("nigerian",)),
)

EMEA = ("Berlin", "London", "Paris", "Zürich", "Kraków", "Stockholm", "Istanbul", "Lagos")

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "german": ("Anna", "Lukas", "Jürgen", "Sophie", "Felix", "Marie", "Jonas", "Lea", "Maximilian", "Hannah",
               "Paul", "Lena", "Tobias", "Katrin", "Jörg", "Ute"),
    "english": ("Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Emily", "Noah", "Charlotte",
                "James", "Sophia", "William", "Grace", "Thomas", "Siobhán"),
    "american": ("Michael", "Jessica", "Daniel", "Ashley", "Matthew", "Sarah", "Christopher", "Jennifer",
                 "Tyler", "Megan", "Andre", "Keisha", "Brandon", "Nicole"),
    "indian": ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Lakshmi", "Arjun", "Divya", "Karthik", "Sneha",
               "Rahul", "Pooja", "Sanjay", "Meera"),
    "chinese": ("Wei", "Mei Ling", "Jun", "Xin Yi", "Hao", "Li Na", "Kai", "Hui Min", "Zhi Hao", "Siew Ling",
                "Darren", "Rachel"),
    "portuguese": ("João", "Maria", "Pedro", "Ana", "Lucas", "Beatriz", "Gabriel", "Júlia", "Rafael", "Letícia",
                   "Thiago", "Camila"),
    "french": ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Théo", "Manon", "Étienne", "Inès", "Mathis", "Zoé",
               "François", "Hélène"),
    "polish": ("Łukasz", "Agnieszka", "Paweł", "Małgorzata", "Piotr", "Katarzyna", "Michał", "Zofia"),
    "nordic": ("Søren", "Åsa", "Björn", "Ingrid", "Magnus", "Sigrid", "Lars", "Freja"),
    "turkish": ("Ayşe", "Mehmet", "Elif", "Emre", "Zeynep", "Çağlar"),
    "spanish": ("José", "María", "Javier", "Lucía", "Alejandro", "Sofía", "Andrés", "Valentina"),
    "japanese": ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina"),
    "nigerian": ("Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Funmilayo"),
    "vietnamese": ("Minh", "Linh", "Anh", "Thảo"),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "german": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
               "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Krüger"),
    "english": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Robinson", "Wright",
                "Thompson", "Evans", "Walker", "O'Brien", "O'Connor", "Hughes", "Green"),
    "american": ("Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson", "Jackson", "Lee", "Harris",
                 "Clark", "Lewis", "Young", "Johnson", "Washington"),
    "indian": ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Kumar", "Rao", "Menon",
               "Krishnan", "Desai", "Chatterjee", "Mukherjee"),
    "chinese": ("Tan", "Lim", "Lee", "Ng", "Wong", "Chen", "Goh", "Chua", "Chan", "Teo", "Ong", "Koh"),
    "portuguese": ("Silva", "Santos", "Oliveira", "Souza", "Gonçalves", "Pereira", "Lima", "Carvalho", "Ribeiro",
                   "Araújo", "Fernandes", "Conceição"),
    "french": ("Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux",
               "Fournier", "Mercier", "Faure", "Bénard"),
    "polish": ("Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Dąbrowski"),
    "nordic": ("Jørgensen", "Andersson", "Nilsson", "Lindqvist", "Hansen", "Berg", "Ström", "Ødegård"),
    "turkish": ("Yılmaz", "Kaya", "Demir", "Şahin", "Öztürk", "Çelik"),
    "spanish": ("García", "Hernández", "López", "Martínez", "González", "Núñez", "Pérez", "Sánchez"),
    "japanese": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Itō"),
    "nigerian": ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Ogunleye"),
    "vietnamese": ("Nguyễn", "Trần", "Lê", "Phạm"),
}

CULTURES: tuple[str, ...] = tuple(FIRST_NAMES)


class SkillDef(NamedTuple):
    canonical: str  # must equal schema.skills.canonical_skill of every form below
    label: str  # how people write it in prose
    hr_forms: tuple[str, ...]  # spellings seen in HR exports (aliases exercise canonicalisation)
    tag: str  # the Stack Exchange tag
    departments: tuple[str, ...]  # department slugs where the skill is a group focus


# Ordered so that the first k skills always span several departments (small organisations use a prefix).
SKILLS: tuple[SkillDef, ...] = (
    SkillDef("python", "Python", ("Python", "python", "Python 3", "py"), "python", ("eng", "data")),
    SkillDef("negotiation", "negotiation", ("Negotiation", "negotiation"), "negotiation", ("sales", "legal")),
    SkillDef("kubernetes", "Kubernetes", ("Kubernetes", "K8s", "k8s"), "kubernetes", ("eng",)),
    SkillDef("machine-learning", "machine learning", ("Machine Learning", "ML", "machine-learning"),
             "machine-learning", ("data",)),
    SkillDef("financial-modeling", "financial modeling", ("Financial Modeling", "financial modeling"),
             "financial-modeling", ("finance",)),
    SkillDef("javascript", "JavaScript", ("JavaScript", "JS", "javascript"), "javascript", ("eng",)),
    SkillDef("customer-support", "customer support", ("Customer Support", "customer support"),
             "customer-support", ("support",)),
    SkillDef("sql", "SQL", ("SQL", "sql"), "sql", ("data", "eng", "finance")),
    SkillDef("product-management", "product management", ("Product Management", "product management"),
             "product-management", ("product",)),
    SkillDef("recruiting", "recruiting", ("Recruiting", "recruiting"), "recruiting", ("hr",)),
    SkillDef("go", "Go", ("Go", "Golang", "golang"), "go", ("eng",)),
    SkillDef("seo", "SEO", ("SEO", "seo"), "seo", ("marketing",)),
    SkillDef("sales-engineering", "sales engineering", ("Sales Engineering", "sales engineering"),
             "sales-engineering", ("sales",)),
    SkillDef("project-management", "project management", ("Project Management", "project management"),
             "project-management", ("ops", "product")),
    SkillDef("terraform", "Terraform", ("Terraform", "terraform"), "terraform", ("eng",)),
    SkillDef("data-science", "data science", ("Data Science", "data science"), "data-science", ("data",)),
    SkillDef("gdpr", "GDPR", ("GDPR", "gdpr"), "gdpr", ("legal",)),
    SkillDef("react", "React", ("React", "ReactJS", "react.js"), "react", ("eng",)),
    SkillDef("excel", "Excel", ("Excel", "excel"), "excel", ("finance", "ops")),
    SkillDef("aws", "AWS", ("AWS", "Amazon Web Services", "aws"), "aws", ("eng",)),
    SkillDef("account-management", "account management", ("Account Management", "account management"),
             "account-management", ("sales", "support")),
    SkillDef("java", "Java", ("Java", "java"), "java", ("eng",)),
    SkillDef("content-marketing", "content marketing", ("Content Marketing", "content marketing"),
             "content-marketing", ("marketing",)),
    SkillDef("security", "security", ("Security", "security"), "security", ("eng", "ops")),
    SkillDef("ux-design", "UX design", ("UX Design", "ux design"), "ux-design", ("product",)),
    SkillDef("statistics", "statistics", ("Statistics", "statistics"), "statistics", ("data",)),
    SkillDef("accounting", "accounting", ("Accounting", "accounting"), "accounting", ("finance",)),
    SkillDef("docker", "Docker", ("Docker", "docker"), "docker", ("eng",)),
    SkillDef("zendesk", "Zendesk", ("Zendesk", "zendesk"), "zendesk", ("support",)),
    SkillDef("salesforce", "Salesforce", ("Salesforce", "salesforce"), "salesforce", ("sales", "marketing")),
    SkillDef("typescript", "TypeScript", ("TypeScript", "TS", "typescript"), "typescript", ("eng",)),
    SkillDef("contract-law", "contract law", ("Contract Law", "contract law"), "contract-law", ("legal",)),
    SkillDef("postgresql", "PostgreSQL", ("PostgreSQL", "Postgres", "psql"), "postgresql", ("eng", "data")),
    SkillDef("spark", "Spark", ("Spark", "spark"), "spark", ("data",)),
    SkillDef("supply-chain", "supply chain", ("Supply Chain", "supply chain"), "supply-chain", ("ops",)),
    SkillDef("employment-law", "employment law", ("Employment Law", "employment law"), "employment-law",
             ("hr", "legal")),
    SkillDef("rust", "Rust", ("Rust", "rust"), "rust", ("eng",)),
    SkillDef("google-analytics", "Google Analytics", ("Google Analytics", "google analytics"), "google-analytics",
             ("marketing",)),
    SkillDef("c++", "C++", ("C++", "cpp"), "c++", ("eng",)),
    SkillDef("tableau", "Tableau", ("Tableau", "tableau"), "tableau", ("data", "finance")),
)

# Non-skill Stack Exchange tags that questions also carry (they canonicalise onto Skill nodes too).
GENERAL_TAGS: tuple[str, ...] = ("best-practices", "debugging", "performance", "onboarding", "tooling", "process")

LEVEL_WORDS: tuple[str, ...] = ("beginner", "intermediate", "advanced", "expert")


class ChannelDef(NamedTuple):
    name: str
    skills: tuple[str, ...]  # canonical skills discussed; empty for social channels
    purpose: str
    trend: float  # activity growth over the window: -0.8 dying ... +1.5 growing


PRACTICE_CHANNELS: tuple[ChannelDef, ...] = (
    ChannelDef("k8s-guild", ("kubernetes", "docker", "terraform"), "Kubernetes and container platform guild", 0.6),
    ChannelDef("python", ("python",), "Python users across the company", 0.2),
    ChannelDef("data-science", ("data-science", "machine-learning", "statistics", "spark"),
               "Data science community of practice", 1.2),
    ChannelDef("frontend", ("javascript", "typescript", "react"), "Frontend guild", 0.0),
    ChannelDef("security", ("security",), "Security champions", 0.3),
    ChannelDef("cloud", ("aws", "terraform"), "Cloud cost and architecture", 0.4),
    ChannelDef("jvm", ("java", "c++", "rust"), "JVM and systems languages (legacy stack, winding down)", -0.8),
    ChannelDef("sales-emea", ("sales-engineering", "negotiation", "account-management", "salesforce"),
               "Sales in Europe, Middle East and Africa", 0.3),
    ChannelDef("finance-ops", ("financial-modeling", "excel", "accounting", "tableau"), "Finance and FP&A", 0.0),
    ChannelDef("product-guild", ("product-management", "ux-design"), "Product managers and designers", 0.5),
    ChannelDef("legal-privacy", ("gdpr", "contract-law", "employment-law"), "Legal and privacy questions", -0.2),
    ChannelDef("people-ops", ("recruiting", "employment-law"), "Recruiting and people operations", 0.1),
    ChannelDef("support-escalations", ("customer-support", "zendesk"), "Support escalations", 0.8),
    ChannelDef("marketing-hub", ("seo", "content-marketing", "google-analytics"), "Marketing community", 0.2),
    ChannelDef("sql-help", ("sql", "postgresql"), "SQL and database help", 0.0),
    ChannelDef("pmo", ("project-management", "supply-chain"), "Project and operations managers", -0.3),
)

TASKS: tuple[str, ...] = ("set up", "debug", "test", "scale", "monitor", "migrate", "secure", "automate",
                          "document", "review", "speed up", "estimate")
OBJECTS: tuple[str, ...] = ("our pipeline", "the staging environment", "a new service", "the quarterly numbers",
                            "customer onboarding", "the release process", "access rights", "a large dataset",
                            "the R&D budget", "\"golden path\" templates", "the <main> entry point",
                            "the EMEA rollout", "the hand-over to ops", "the monthly report")

SLACK_ROOTS: tuple[str, ...] = (
    "Has anyone tried to {task} {obj} with {skill}?",
    "Quick question: what is the best way to {task} {obj}?",
    "FYI: we are changing how we {task} {obj} next sprint",
    "Can someone help me {task} {obj}? Stuck since this morning",
    "Retro notes on how we {task} {obj} are in the doc",
    "Who owns {obj}? Need to {task} it before Friday",
)
SLACK_REPLIES: tuple[str, ...] = (
    "+1, same here", "I had the same issue, try restarting it first", "<@{root}> I can pair on this after lunch",
    "thanks, that worked!", "Fixed in the latest release", "There is a runbook for this in the wiki",
    "Let's take it to a call", "I'd ask the {skill} folks, they know this best", "Done :white_check_mark:",
    "Not sure, but I think it changed last quarter",
)
SOCIAL: tuple[str, ...] = ("Coffee anyone? :coffee:", "Happy Friday all!", "Lunch & learn at 12:30 today",
                           "Who is going to the offsite?", "Great demo today :tada:", "Welcome to the team!")
REACTIONS: tuple[str, ...] = ("+1", "tada", "eyes", "white_check_mark", "pray", "raised_hands", "heart", "rocket")
