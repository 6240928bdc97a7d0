# sheet 004, Exercise 2: the 3-D relu R(x, y, z) = (x 1_{x>0}, y 1_{y>0}, z 1_{z>0}), away from 0;
# J_R = diag(1_{x>0}, 1_{y>0}, 1_{z>0}) = diag(1, 0, 1) at (1.5, −0.5, 2).
input v = [1.5, -0.5, 2]
output R = relu(v)
