"""What every part of Hamyan stands on: the clock, input parsing, the unit of work and errors."""
