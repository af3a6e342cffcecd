"""studybot: a study-group bot for backend learners on Discord, Slack and the console."""
