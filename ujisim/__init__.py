"""ujisim: Indonesian SIM theory exams and online licence renewal."""
