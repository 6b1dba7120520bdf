-- An account can be closed: it keeps its history and takes no
-- transaction posted after the day it closed.
ALTER TABLE accounts ADD COLUMN closed_on TEXT;
