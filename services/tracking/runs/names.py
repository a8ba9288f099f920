"""Readable default run names ("brave-owl-417"), as MLflow's server gives unnamed runs."""

import secrets

_ADJECTIVES = (
    "amber able bold brave bright calm clever cool crisp dapper eager fleet fancy gentle "
    "glad grand honest jolly keen kind lively loud lucky merry mighty nimble noble orderly "
    "polite proud quick quiet rare rich shy silent sincere smooth stately swift tidy upbeat "
    "valiant vivid warm wise witty youthful zealous"
).split()
_NOUNS = (
    "ant bat bear bee boar cat colt crab crow deer dog dove duck eel elk finch fish fox frog "
    "goat gull hare hawk hen hog horse jay koi lamb lark lion lynx mole moth mouse newt owl "
    "ox panda pig rat ray robin seal shark sheep shrew skunk slug snail snake squid stag "
    "swan toad trout whale wolf worm wren yak zebra"
).split()


def random_run_name() -> str:
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(1000)}"
