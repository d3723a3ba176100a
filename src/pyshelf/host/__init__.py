"""Where the shelf reaches outside its home: shell block, launcher, pip, pyshelf's own copy."""
