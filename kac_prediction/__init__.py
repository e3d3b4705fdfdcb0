"""kac_prediction: synthesise drums of any shape and learn their geometry from their sound."""

__version__ = '2.0.0.dev0'
