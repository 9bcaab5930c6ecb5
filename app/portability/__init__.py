"""Owning one's data: export, restore and merge, delete an account, erase a person, back up."""
