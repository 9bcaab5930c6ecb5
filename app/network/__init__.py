"""The network profile and keeping in touch: what I do, for whom, and how often to reach out."""
